/**
 * Checks the forms run as a person types. They mirror the server's rules so mistakes show early;
 * the server still decides, and its answer is shown next to the same field.
 */

export const PASSWORD_MIN_LENGTH = 10;
const PASSWORD_MAX_LENGTH = 256;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(value: string): string | null {
  if (!value.trim()) return 'Enter an email address';
  return EMAIL.test(value.trim()) ? null : 'Enter an email address like ada@example.com';
}

export function checkNewPassword(value: string): string | null {
  if (value.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters`;
  if (value.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}

export function checkRequired(what: string, maxLength = 200) {
  return (value: string): string | null => {
    if (!value.trim()) return `Enter ${what}`;
    return value.length > maxLength ? `Use at most ${maxLength} characters` : null;
  };
}

/** The second of two password fields: the same as the first, named `field` in the form's values. */
export function checkRepeated<Values extends Record<string, unknown>>(field: keyof Values) {
  return (value: string, values: Values): string | null =>
    value === values[field] ? null : 'The two passwords differ';
}
