import { screen, within } from '@testing-library/react';
import { expect } from 'vitest';

/**
 * A page whose session ended meanwhile sends the person to log in again: the log-in form, saying
 * so, with the way back to `path` (the page they were on) in its links.
 */
export async function sentToLogIn(path?: string): Promise<void> {
  const form = await screen.findByRole('form', { name: 'Log in' });
  expect(within(form).getByText('Your session ended')).toBeTruthy();
  if (path !== undefined) {
    const signUp = screen.getByRole('link', { name: 'Create an account' }).getAttribute('href') ?? '';
    expect(new URLSearchParams(signUp.split('?')[1]).get('next')).toBe(path);
  }
}

/** What a form kept of its values for after the log-in (the session ended before it was sent). */
export function keptDraft(form: string): Record<string, unknown> | null {
  const key = Object.keys(window.sessionStorage).find((name) => name.endsWith(`#${form}`));
  return key ? (JSON.parse(window.sessionStorage.getItem(key) ?? 'null') as Record<string, unknown>) : null;
}
