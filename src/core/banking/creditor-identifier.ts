import { compact, mod97 } from './mod97';

/**
 * SEPA creditor identifiers (EPC262-08, "Creditor Identifier Overview"): who collects a direct
 * debit. A country code, two check digits, a three-character creditor business code the creditor
 * chooses freely (ZZZ when it has none), and the national identifier (up to 28 letters and digits).
 * The check digits are ISO 7064 MOD 97-10 over the national identifier and the country code, the
 * business code skipped, so a creditor may change it without a new identifier.
 */

export type CreditorIdentifierCheck = { valid: true; identifier: string } | { valid: false; reason: string };

/** Checks an identifier as a person types it (spaces and lower case allowed); returns it compact, or why not. */
export function checkCreditorIdentifier(text: string): CreditorIdentifierCheck {
  const identifier = compact(text);
  const parts = /^([A-Z]{2})(\d{2})([A-Z0-9]{3})([A-Z0-9]{1,28})$/.exec(identifier);
  if (!parts)
    return {
      valid: false,
      reason:
        'a creditor identifier is a country code, two check digits, three letters or digits and the national identifier (DE98ZZZ09999999999)',
    };
  const [, country, check, , national] = parts;
  if (mod97(`${national}${country}${check}`) !== 1)
    return { valid: false, reason: 'the check digits do not match: a character is mistyped' };
  return { valid: true, identifier };
}
