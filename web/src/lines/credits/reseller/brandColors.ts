/**
 * The brand colours' checks as the server makes them (src/credits/whitelabel/branding.ts), so the
 * form says what is wrong while the reseller types: `#rrggbb`, and at least WCAG AA's 4.5:1 with
 * white, since the primary colour carries white text and the accent colours links on the white page.
 */

export const MIN_CONTRAST = 4.5;
export const BRAND_NAME_MAX = 80;

/** Tally's own colours, which a brand without colours of its own shows. */
export const DEFAULT_PRIMARY = '#1c7ed6';
export const DEFAULT_ACCENT = '#1864ab';

const HEX = /^#[0-9a-f]{6}$/;

/** The colour as it will be saved (lower case), or null when it is not `#rrggbb`. */
export function colorOf(typed: string): string | null {
  const color = typed.trim().toLowerCase();
  return HEX.test(color) ? color : null;
}

function luminance(hex: string): number {
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG 2.1's contrast ratio of a `#rrggbb` colour with white. */
export const contrastWithWhite = (hex: string): number => 1.05 / (luminance(hex) + 0.05);

/** What is wrong with a typed colour, in a sentence, or null; empty is fine (Tally's own). */
export function colorProblem(typed: string, use: string): string | null {
  if (typed.trim() === '') return null;
  const color = colorOf(typed);
  if (!color) return 'Enter a colour as # and six hexadecimal digits, such as #1c4e80.';
  const ratio = contrastWithWhite(color);
  return ratio < MIN_CONTRAST
    ? `Too light for ${use}: ${ratio.toFixed(2)}:1 with white, and at least ${MIN_CONTRAST}:1 is needed. Choose a darker colour.`
    : null;
}

export function brandNameProblem(typed: string): string | null {
  const length = [...typed.trim()].length;
  return length > BRAND_NAME_MAX ? `At most ${BRAND_NAME_MAX} characters (this one has ${length}).` : null;
}
