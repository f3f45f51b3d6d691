/**
 * ISO 7064 MOD 97-10, as IBANs (ISO 13616) and creditor references (ISO 11649) use it: letters count
 * as two digits (A = 10 … Z = 35), and the remainder is taken piece by piece so no number grows large.
 */
export function mod97(alphanumeric: string): number {
  let remainder = 0;
  for (const character of alphanumeric) {
    const code = character.charCodeAt(0);
    const value = code >= 48 && code <= 57 ? code - 48 : code >= 65 && code <= 90 ? code - 55 : -1;
    if (value < 0) throw new RangeError(`not a digit or capital letter: ${character}`);
    remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
  }
  return remainder;
}

/** Upper case, without the spaces people and banks print in groups of four. */
export const compact = (text: string): string => text.replace(/\s+/g, '').toUpperCase();

/** In groups of four, as printed on a bill or a statement. */
export const inGroupsOfFour = (text: string): string => text.replace(/(.{4})(?=.)/g, '$1 ');
