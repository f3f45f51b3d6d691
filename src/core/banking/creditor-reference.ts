import { compact, inGroupsOfFour, mod97 } from './mod97';

/**
 * Structured creditor references (ISO 11649, "RF references"): `RF`, two check digits, and up to 21
 * letters and digits. A bank that sees one checks it as the payer types it, so a bill's reference
 * reaches the statement intact, or the payer is stopped at the typo.
 */

const BASE = /^[A-Z0-9]{1,21}$/;

/** The reference for `base` (letters and digits, at most 21), as written: `RF18539007547034`. */
export function creditorReference(base: string): string {
  const clean = compact(base);
  if (!BASE.test(clean)) throw new RangeError('a creditor reference holds 1 to 21 letters and digits');
  const check = 98 - mod97(`${clean}RF00`);
  return `RF${String(check).padStart(2, '0')}${clean}`;
}

/** Whether `text` (spaces and lower case allowed) is a creditor reference whose check digits hold. */
export function isCreditorReference(text: string): boolean {
  const reference = compact(text);
  if (!/^RF\d{2}[A-Z0-9]{1,21}$/.test(reference)) return false;
  return mod97(reference.slice(4) + reference.slice(0, 4)) === 1;
}

/** Grouped by four for a bill: `RF18 5390 0754 7034`. */
export const formatCreditorReference = (reference: string): string => inGroupsOfFour(compact(reference));

/**
 * The valid creditor references in a payment's free text, compact, in the order they appear: payers
 * paste them with or without the spaces, among other words.
 */
export function findCreditorReferences(text: string): string[] {
  const found: string[] = [];
  const candidates = text.toUpperCase().match(/RF\d{2}(?:\s?[A-Z0-9]){1,21}/g) ?? [];
  for (const candidate of candidates) {
    const reference = compact(candidate);
    // A candidate may run into the next word: the longest valid prefix is the reference.
    for (let end = reference.length; end >= 5; end--) {
      if (isCreditorReference(reference.slice(0, end))) {
        found.push(reference.slice(0, end));
        break;
      }
    }
  }
  return found;
}
