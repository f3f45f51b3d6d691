/**
 * The days SEPA payments settle: TARGET2 business days (ECB). TARGET2 closes on Saturdays, Sundays,
 * New Year's Day, Good Friday, Easter Monday, 1 May and 25 and 26 December, whatever the country.
 * Days are ISO dates (YYYY-MM-DD), counted in UTC.
 */

const DAY = 86_400_000;
const toDate = (day: string) => new Date(`${day}T00:00:00Z`);
const toDay = (date: Date) => date.toISOString().slice(0, 10);

/** Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

export function isBankDay(day: string): boolean {
  const date = toDate(day);
  if (Number.isNaN(date.getTime()) || toDay(date) !== day) return false;
  const weekday = date.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  if (['01-01', '05-01', '12-25', '12-26'].includes(day.slice(5))) return false;
  const easter = easterSunday(date.getUTCFullYear()).getTime();
  return date.getTime() !== easter - 2 * DAY && date.getTime() !== easter + DAY;
}

/** The first bank day after `day`. */
export function nextBankDay(day: string): string {
  let date = toDate(day);
  do date = new Date(date.getTime() + DAY);
  while (!isBankDay(toDay(date)));
  return toDay(date);
}
