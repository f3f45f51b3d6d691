import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Someone with an account of their own: the name and address they sign up with, the password they choose. */
export interface Person {
  name: string;
  email: string;
  password: string;
}

/**
 * Signs `person` up and confirms the address through the API, with the token from the welcome mail,
 * which leaves the page's browser signed in as them. For journeys that need an account to begin
 * with; the account journey signs up through the pages. Returns the token the mail carried.
 */
export async function signUp(page: Page, serverUrl: string, person: Person): Promise<string> {
  const signup = await page.request.post(`${serverUrl}/api/auth/signup`, {
    data: { name: person.name, email: person.email },
  });
  expect(signup.status()).toBe(202);
  const token = await mailedVerifyEmailToken(page, serverUrl, person.email);
  const verified = await page.request.post(`${serverUrl}/api/auth/verify-email`, {
    data: { token, password: person.password },
  });
  expect(verified.status()).toBe(200);
  return token;
}

/** Logs the page's browser in with a password, as the log-in form does. */
export async function logIn(
  page: Page,
  serverUrl: string,
  person: Pick<Person, 'email' | 'password'>,
): Promise<void> {
  const answer = await page.request.post(`${serverUrl}/api/auth/login`, {
    data: { email: person.email, password: person.password },
  });
  expect(answer.status()).toBe(200);
}

/** The token of the verify-email link mailed to `email`; Tally's job worker sends the mail a moment later. */
async function mailedVerifyEmailToken(page: Page, serverUrl: string, email: string): Promise<string> {
  for (let tries = 0; tries < 100; tries += 1) {
    const list = await page.request.get(`${serverUrl}/api/mail/messages`);
    const { items } = (await list.json()) as { items: { id: string; to: string }[] };
    const mail = items.find((item) => item.to === email);
    if (mail) {
      const message = await page.request.get(`${serverUrl}/api/mail/messages/${mail.id}`);
      const token = /verify-email\?token=([\w-]+)/.exec(
        ((await message.json()) as { text: string }).text,
      )?.[1];
      if (token) return token;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`no mail with a verify-email link to ${email}`);
}
