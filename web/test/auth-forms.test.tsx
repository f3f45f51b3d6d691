import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { mailedToken, personWithPassword, request } from '../../test/support/app';
import { formAlert, sentTo, tallyPages } from './support/pages';

const pages = tallyPages();
const PASSWORD = 'correct horse battery';

// Each test starts a fresh hour, so the per-address limits of one test do not reach the next.
afterEach(() => void pages.tally.clock.advance(2 * 3600 * 1000));

const field = (form: HTMLElement, label: RegExp | string) => within(form).getByLabelText(label);

describe('the log-in form', () => {
  const open = async () => {
    const { user, router } = await pages.render('/login');
    const form = screen.getByRole('form', { name: 'Log in' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Log in' }));
    return { user, router, form, submit };
  };

  it('says what is missing or malformed, and sends nothing', async () => {
    const { user, form, submit } = await open();
    await submit();
    expect(within(form).getByText('Enter an email address')).toBeTruthy();
    expect(within(form).getByText('Enter your password')).toBeTruthy();
    await user.type(field(form, /Email/), 'ada.example.com');
    expect(within(form).getByText('Enter an email address like ada@example.com')).toBeTruthy();
    expect(sentTo(pages, 'POST', '/api/auth/login')).toEqual([]);
  });

  it('shows the 401 for a wrong password above the button, keeping what was typed', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    const { user, form, submit } = await open();
    await user.type(field(form, /Email/), person.email);
    await user.type(field(form, /Password/), 'not the password');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('That email and password do not match an account.'));
    expect((field(form, /Email/) as HTMLInputElement).value).toBe(person.email);
    expect(pages.cookie()).toBeNull();
  });

  it('shows the 429 of the lockout with the wait the server asked for', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    for (let i = 0; i < 5; i++) {
      const refused = await request(pages.tally, 'POST', '/api/auth/login', {
        body: { email: person.email, password: `wrong ${i}` },
      });
      expect(refused.status).toBe(401);
    }
    const { user, form, submit } = await open();
    await user.type(field(form, /Email/), person.email);
    await user.type(field(form, /Password/), PASSWORD);
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toMatch(
        /^Too many failed attempts; wait before trying again\. Try again in \d+ seconds\.$/,
      ),
    );
    expect(pages.cookie()).toBeNull();
  });

  it('shows the 403 of an address not confirmed yet, with the Mailbox as the next step', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    await pages.tally.database.db.execute(
      sql`UPDATE core_users SET email_verified_at = NULL WHERE id = ${person.userId}`,
    );
    const { user, form, submit } = await open();
    await user.type(field(form, /Email/), person.email);
    await user.type(field(form, /Password/), PASSWORD);
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe(
        'Confirm your email address first. We have sent you a new link; the link mailed before no longer works. Open the Mailbox.',
      ),
    );
    const alert = within(form).getByRole('alert');
    expect(within(alert).getByRole('link', { name: 'Open the Mailbox.' }).getAttribute('href')).toBe(
      '/mailbox',
    );
  });

  it('signs in and goes where the person was headed', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    const { user, router } = await pages.render('/login?next=%2Fsettings%2Fapi-keys');
    const form = screen.getByRole('form', { name: 'Log in' });
    await user.type(field(form, /Email/), person.email);
    await user.type(field(form, /Password/), PASSWORD);
    await user.click(within(form).getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings/api-keys'));
    expect(pages.cookie()).toMatch(/^tally_session=/);
  });

  it('lands a person with nowhere to go on their credits, and an administrator where administrators work', async () => {
    for (const [isAdmin, landing] of [
      [false, '/credits'],
      [true, '/credits/admin/products'],
    ] as const) {
      const person = await personWithPassword(pages.tally, PASSWORD, { isAdmin });
      const { user, router } = await pages.render('/login');
      const form = screen.getByRole('form', { name: 'Log in' });
      await user.type(field(form, /Email/), person.email);
      await user.type(field(form, /Password/), PASSWORD);
      await user.click(within(form).getByRole('button', { name: 'Log in' }));
      await waitFor(() => expect(router.state.location.pathname).toBe(landing));
      cleanup();
    }
  });
});

describe('the sign-up form', () => {
  const open = async () => {
    const { user } = await pages.render('/signup');
    const form = screen.getByRole('form', { name: 'Sign up' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Create account' }));
    return { user, form, submit };
  };

  it('says what is missing, and sends nothing', async () => {
    const { form, submit } = await open();
    await submit();
    expect(within(form).getByText('Enter your name')).toBeTruthy();
    expect(within(form).getByText('Enter an email address')).toBeTruthy();
    expect(sentTo(pages, 'POST', '/api/auth/signup')).toEqual([]);
  });

  it('puts the 400 for a name the server refuses next to the name', async () => {
    const { user, form, submit } = await open();
    await user.type(field(form, /Name/), 'Ada\u0000Lovelace');
    await user.type(field(form, /Email/), 'ada-nul@example.test');
    await submit();
    await waitFor(() => expect(within(form).getByText('Must not contain a NUL character.')).toBeTruthy());
    expect(formAlert(form)).toBeNull();
    expect(field(form, /Name/).getAttribute('aria-invalid')).toBe('true');
  });

  it('tells the person to check their mail, and the mail carries the link', async () => {
    const { user, form, submit } = await open();
    await user.type(field(form, /Name/), 'Ada Lovelace');
    await user.type(field(form, /Email/), 'ada@example.test');
    await submit();
    await waitFor(() => expect(screen.getByText('Almost there')).toBeTruthy());
    expect(screen.getByText(/ada@example.test/)).toBeTruthy();
    expect(await mailedToken(pages.tally, 'ada@example.test', '/verify-email')).toMatch(/^\S{20,}$/);
  });

  it('shows the 429 once an address has signed up too often from here', async () => {
    for (let i = 0; i < 10; i++) {
      const signup = await request(pages.tally, 'POST', '/api/auth/signup', {
        body: { name: 'Someone', email: `flood${i}@example.test` },
      });
      expect(signup.status).toBe(202);
    }
    const { user, form, submit } = await open();
    await user.type(field(form, /Name/), 'Grace Hopper');
    await user.type(field(form, /Email/), 'grace@example.test');
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toMatch(/^Too many attempts; try again later\. Try again in \d+ seconds\.$/),
    );
    expect((field(form, /Name/) as HTMLInputElement).value).toBe('Grace Hopper');
  });
});

describe('the confirmation page of a new account', () => {
  async function signUp(email: string) {
    const signup = await request(pages.tally, 'POST', '/api/auth/signup', {
      body: { name: 'New Person', email },
    });
    expect(signup.status).toBe(202);
    return mailedToken(pages.tally, email, '/verify-email');
  }

  it('asks for the password, checks it as typed, then signs the person in', async () => {
    const token = await signUp('new@example.test');
    const { user, router } = await pages.render(`/verify-email?token=${token}`);
    const form = await screen.findByRole('form', { name: /password/i });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Confirm and sign in' }));
    await user.type(field(form, /^Password\W*$/), 'short');
    await user.type(field(form, /^Repeat the password/), 'shorter');
    expect(within(form).getByText('Use at least 10 characters')).toBeTruthy();
    expect(within(form).getByText('The two passwords differ')).toBeTruthy();
    await submit();
    expect(sentTo(pages, 'POST', '/api/auth/verify-email')).toHaveLength(1);

    await user.clear(field(form, /^Password\W*$/));
    await user.type(field(form, /^Password\W*$/), PASSWORD);
    await user.clear(field(form, /^Repeat the password/));
    await user.type(field(form, /^Repeat the password/), PASSWORD);
    await submit();
    await waitFor(() => expect(router.state.location.pathname).toBe('/'));
    expect(pages.cookie()).toMatch(/^tally_session=/);
  });

  it('shows why a link does not work: unknown, or already used', async () => {
    await pages.render('/verify-email?token=not-a-real-token');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This link did not work');
    expect(sentTo(pages, 'POST', '/api/auth/verify-email')).toHaveLength(1);
  });
});

describe('the forgotten-password and reset forms', () => {
  it('checks the address, then says a link is on its way', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    const { user } = await pages.render('/forgot-password');
    const form = screen.getByRole('form');
    await user.click(within(form).getByRole('button'));
    expect(within(form).getByText('Enter an email address')).toBeTruthy();
    expect(sentTo(pages, 'POST', '/api/auth/password-reset')).toEqual([]);
    await user.type(field(form, /Email/), person.email);
    await user.click(within(form).getByRole('button'));
    await waitFor(() => expect(screen.getByText(new RegExp(person.email))).toBeTruthy());
    expect(await mailedToken(pages.tally, person.email, '/reset-password')).toMatch(/^\S{20,}$/);
  });

  it('shows the 429 after too many reset requests from here', async () => {
    for (let i = 0; i < 10; i++) {
      const asked = await request(pages.tally, 'POST', '/api/auth/password-reset', {
        body: { email: `nobody${i}@example.test` },
      });
      expect(asked.status).toBe(202);
    }
    const { user } = await pages.render('/forgot-password');
    const form = screen.getByRole('form');
    await user.type(field(form, /Email/), 'someone@example.test');
    await user.click(within(form).getByRole('button'));
    await waitFor(() =>
      expect(formAlert(form)).toMatch(/^Too many attempts; try again later\. Try again in \d+ seconds\.$/),
    );
  });

  it('checks the new password, refuses a used link with the 400, and resets with a good one', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    await request(pages.tally, 'POST', '/api/auth/password-reset', { body: { email: person.email } });
    const token = await mailedToken(pages.tally, person.email, '/reset-password');

    const { user } = await pages.render(`/reset-password?token=${token}`);
    const form = screen.getByRole('form');
    await user.type(field(form, /^New password\W*$/), 'too short');
    await user.click(within(form).getByRole('button', { name: 'Set the new password' }));
    expect(within(form).getByText('Use at least 10 characters')).toBeTruthy();
    expect(sentTo(pages, 'POST', '/api/auth/password-reset/confirm')).toEqual([]);

    await user.clear(field(form, /^New password\W*$/));
    await user.type(field(form, /^New password\W*$/), 'a brand new password');
    await user.type(field(form, /^New password, again/), 'a brand new password');
    await user.click(within(form).getByRole('button', { name: 'Set the new password' }));
    await waitFor(() => expect(screen.getByText('Your password is set')).toBeTruthy());

    // The same link a second time: the server's refusal is shown, not a success.
    const again = await pages.render(`/reset-password?token=${token}`);
    const secondForm = screen.getByRole('form');
    await again.user.type(field(secondForm, /^New password\W*$/), 'another new password');
    await again.user.type(field(secondForm, /^New password, again/), 'another new password');
    await again.user.click(within(secondForm).getByRole('button', { name: 'Set the new password' }));
    await waitFor(() => expect(formAlert(secondForm)).toMatch(/link/i));
  });
});
