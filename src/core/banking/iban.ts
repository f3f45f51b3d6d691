import { compact, inGroupsOfFour, mod97 } from './mod97';

/** IBAN lengths of the SEPA countries and territories (ISO 13616 registry). */
const SEPA_IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  VA: 22,
};

export type IbanCheck = { valid: true; iban: string } | { valid: false; reason: string };

/**
 * Checks an IBAN as a person types it (spaces and lower case allowed): a SEPA country, that
 * country's length, and the check digits (ISO 7064 MOD 97-10). Returns it compact, or why not.
 */
export function checkIban(text: string): IbanCheck {
  const iban = compact(text);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban))
    return { valid: false, reason: 'an IBAN starts with a country code and two check digits (DE89 3704 …)' };
  const country = iban.slice(0, 2);
  const length = SEPA_IBAN_LENGTHS[country];
  if (length === undefined) return { valid: false, reason: `${country} is not a country of the SEPA area` };
  if (iban.length !== length)
    return {
      valid: false,
      reason: `an IBAN of ${country} has ${length} characters, this one ${iban.length}`,
    };
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1)
    return { valid: false, reason: 'the check digits do not match: a character is mistyped' };
  return { valid: true, iban };
}

export const formatIban = (iban: string): string => inGroupsOfFour(compact(iban));
