import { notifications } from '@mantine/notifications';
import { screen, waitFor, within } from '@testing-library/react';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/core/database';
import { personWithPassword, read, request, signedInPerson, type TestPerson } from '../../test/support/app';
import { field, fieldError, formAlert, sentTo, tallyPages } from './support/pages';
import { keptDraft, sentToLogIn } from './support/session-ended';

const pages = tallyPages();

// The profile page is in the wallets' bundle (wagmi, viem), loaded on the first visit: loaded here
// beforehand, a busy machine does not make the first test's page outwait the harness.
beforeAll(async () => {
  await import('../src/wallet/WalletPages');
});
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new password';

// Each test starts a fresh hour, so the per-address limits of one test do not reach the next.
afterEach(() => {
  pages.tally.clock.advance(2 * 3600 * 1000);
  notifications.clean();
});

const endSessionsOf = (person: TestPerson) =>
  pages.tally.database.db.execute(
    sql`UPDATE core_sessions SET revoked_at = now() WHERE user_id = ${person.userId}`,
  );

async function nameOf(person: TestPerson): Promise<string> {
  const [row] = await queryRows<{ name: string }>(
    pages.tally.database.db,
    sql`SELECT name FROM core_users WHERE id = ${person.userId}`,
  );
  return row!.name;
}

/** The profile page comes in the wallets' bundle: it shows once wagmi is loaded and the chain asked about. */
async function openProfile(person: TestPerson) {
  pages.signIn(person);
  const { user } = await pages.render('/settings/profile');
  await screen.findByRole('form', { name: 'Profile' }, { timeout: 20_000 });
  return user;
}

describe('the profile name form', () => {
  const open = async (person: TestPerson) => {
    const user = await openProfile(person);
    const form = screen.getByRole('form', { name: 'Profile' });
    const button = () => within(form).getByRole('button', { name: 'Save name' }) as HTMLButtonElement;
    return { user, form, button, submit: () => user.click(button()) };
  };

  it('says a name is needed or too long, and sends nothing', async () => {
    const person = await signedInPerson(pages.tally, { name: 'Ada Lovelace' });
    const { user, form, button, submit } = await open(person);
    expect(field(form, /^Name\W*$/).value).toBe('Ada Lovelace');
    expect(button().disabled).toBe(true);

    await user.clear(field(form, /^Name\W*$/));
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Enter your name');
    await submit();
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Enter your name');

    await user.click(field(form, /^Name\W*$/));
    await user.paste('a'.repeat(201));
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Use at most 200 characters');
    await submit();
    expect(sentTo(pages, 'PATCH', '/api/auth/me')).toEqual([]);
    expect(await nameOf(person)).toBe('Ada Lovelace');
  });

  it('puts the 400 for a NUL character next to the name, keeping what was typed', async () => {
    const person = await signedInPerson(pages.tally, { name: 'Ada Lovelace' });
    const { user, form, submit } = await open(person);
    await user.clear(field(form, /^Name\W*$/));
    await user.type(field(form, /^Name\W*$/), 'Ada\u0000Byron');
    await submit();
    await waitFor(() =>
      expect(fieldError(field(form, /^Name\W*$/))).toBe('Must not contain a NUL character.'),
    );
    expect(field(form, /^Name\W*$/).getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(field(form, /^Name\W*$/).value).toBe('Ada\u0000Byron');
    expect(sentTo(pages, 'PATCH', '/api/auth/me')).toHaveLength(1);
    expect(await nameOf(person)).toBe('Ada Lovelace');
  });

  it('sends a person whose session ended meanwhile to log in again, keeping the name', async () => {
    const person = await signedInPerson(pages.tally, { name: 'Ada Lovelace' });
    const { user, form, submit } = await open(person);
    await endSessionsOf(person);
    await user.clear(field(form, /^Name\W*$/));
    await user.type(field(form, /^Name\W*$/), 'Ada King');
    await submit();
    await sentToLogIn('/settings/profile');
    expect(keptDraft('profile-name')).toEqual({ name: 'Ada King' });
    expect(await nameOf(person)).toBe('Ada Lovelace');
  });

  it('saves the name: the header shows it, and the button waits for the next change', async () => {
    const person = await signedInPerson(pages.tally, { name: 'Ada Lovelace' });
    const { user, form, button, submit } = await open(person);
    expect(await screen.findByRole('button', { name: 'Ada Lovelace: account menu' })).toBeTruthy();
    await user.clear(field(form, /^Name\W*$/));
    await user.type(field(form, /^Name\W*$/), '  Ada King ');
    await submit();
    await waitFor(() => expect(screen.getByText('Your name is saved.')).toBeTruthy());
    expect(screen.getByRole('button', { name: 'Ada King: account menu' })).toBeTruthy();
    expect(sentTo(pages, 'PATCH', '/api/auth/me').map((sent) => sent.body)).toEqual([{ name: 'Ada King' }]);
    expect(await nameOf(person)).toBe('Ada King');
    expect(formAlert(form)).toBeNull();
    await waitFor(() => expect(button().disabled).toBe(true));
    expect(field(form, /^Name\W*$/).value).toBe('Ada King');
  });
});

describe('the change-password form', () => {
  const open = async (person: TestPerson) => {
    const user = await openProfile(person);
    const form = screen.getByRole('form', { name: 'Change password' });
    const fill = async (current: string, next: string, repeat = next) => {
      if (current) await user.type(field(form, /^Current password\W*$/), current);
      if (next) await user.type(field(form, /^New password\W*$/), next);
      if (repeat) await user.type(field(form, /^New password, again/), repeat);
    };
    const submit = () => user.click(within(form).getByRole('button', { name: 'Change password' }));
    return { user, form, fill, submit };
  };

  const logIn = (email: string, password: string) =>
    request(pages.tally, 'POST', '/api/auth/login', { body: { email, password } });

  it('says what is missing or does not match, and sends nothing', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    const { form, fill, submit } = await open(person);
    await submit();
    expect(fieldError(field(form, /^Current password\W*$/))).toBe('Enter your current password');
    expect(fieldError(field(form, /^New password\W*$/))).toBe('Use at least 10 characters');
    await fill(PASSWORD, 'too short', 'too shorT');
    expect(fieldError(field(form, /^Current password\W*$/))).toBeNull();
    expect(fieldError(field(form, /^New password\W*$/))).toBe('Use at least 10 characters');
    expect(fieldError(field(form, /^New password, again/))).toBe('The two passwords differ');
    await submit();
    expect(sentTo(pages, 'POST', '/api/auth/password')).toEqual([]);
  });

  it('puts the 400 for a wrong current password next to it, keeping the new one', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    const { form, fill, submit } = await open(person);
    await fill('not the password', NEW_PASSWORD);
    await submit();
    await waitFor(() =>
      expect(fieldError(field(form, /^Current password\W*$/))).toBe('The current password is not right.'),
    );
    expect(field(form, /^Current password\W*$/).getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(field(form, /^Current password\W*$/).value).toBe('not the password');
    expect(field(form, /^New password\W*$/).value).toBe(NEW_PASSWORD);
    expect(field(form, /^New password, again/).value).toBe(NEW_PASSWORD);
    expect((await logIn(person.email, PASSWORD)).status).toBe(200);
  });

  it('puts the 400 for a NUL character next to the new password', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    const { form, fill, submit } = await open(person);
    await fill(PASSWORD, 'brand\u0000new password');
    await submit();
    await waitFor(() =>
      expect(fieldError(field(form, /^New password\W*$/))).toBe('Must not contain a NUL character.'),
    );
    expect(field(form, /^New password\W*$/).getAttribute('aria-invalid')).toBe('true');
    expect(fieldError(field(form, /^Current password\W*$/))).toBeNull();
    expect(formAlert(form)).toBeNull();
    expect(field(form, /^New password\W*$/).value).toBe('brand\u0000new password');
    expect((await logIn(person.email, PASSWORD)).status).toBe(200);
  });

  it('shows the 429 of the lockout after wrong current passwords above the button', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    for (let i = 0; i < 5; i++) {
      const refused = await request(pages.tally, 'POST', '/api/auth/password', {
        as: person,
        body: { current_password: `wrong ${i}`, new_password: NEW_PASSWORD },
      });
      expect(refused.status).toBe(400);
    }
    const { form, fill, submit } = await open(person);
    await fill(PASSWORD, NEW_PASSWORD);
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toMatch(
        /^Too many failed attempts; wait before trying again\. Try again in \d+ seconds\.$/,
      ),
    );
    expect(fieldError(field(form, /^Current password\W*$/))).toBeNull();
    expect(field(form, /^New password\W*$/).value).toBe(NEW_PASSWORD);
    expect((await logIn(person.email, NEW_PASSWORD)).status).toBe(401);
  });

  it('sends a person whose session ended meanwhile to log in again, keeping no password', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    const { fill, submit } = await open(person);
    await endSessionsOf(person);
    await fill(PASSWORD, NEW_PASSWORD);
    await submit();
    await sentToLogIn('/settings/profile');
    expect(Object.values(window.sessionStorage).join()).not.toContain(PASSWORD);
    expect((await logIn(person.email, PASSWORD)).status).toBe(200);
  });

  it('changes the password: the form empties, and only the new password logs in', async () => {
    const person = await personWithPassword(pages.tally, PASSWORD);
    const { form, fill, submit } = await open(person);
    await fill(PASSWORD, NEW_PASSWORD);
    await submit();
    await waitFor(() => expect(screen.getByText('Password changed.')).toBeTruthy());
    expect(field(form, /^Current password\W*$/).value).toBe('');
    expect(field(form, /^New password\W*$/).value).toBe('');
    expect(field(form, /^New password, again/).value).toBe('');
    expect(formAlert(form)).toBeNull();
    expect(sentTo(pages, 'POST', '/api/auth/password').map((sent) => sent.body)).toEqual([
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
    ]);
    expect((await logIn(person.email, PASSWORD)).status).toBe(401);
    expect((await logIn(person.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('sets a first password for an account without one, then asks for it next time', async () => {
    const person = await signedInPerson(pages.tally);
    const user = await openProfile(person);
    const form = screen.getByRole('form', { name: 'Change password' });
    expect(within(form).queryByLabelText(/^Current password/)).toBeNull();
    await user.click(within(form).getByRole('button', { name: 'Set password' }));
    expect(fieldError(field(form, /^New password\W*$/))).toBe('Use at least 10 characters');
    expect(sentTo(pages, 'POST', '/api/auth/password')).toEqual([]);

    await user.type(field(form, /^New password\W*$/), NEW_PASSWORD);
    await user.type(field(form, /^New password, again/), NEW_PASSWORD);
    await user.click(within(form).getByRole('button', { name: 'Set password' }));
    await waitFor(() => expect(screen.getByText('Password set.')).toBeTruthy());
    await waitFor(() => expect(within(form).getByLabelText(/^Current password\W*$/)).toBeTruthy());
    expect(within(form).getByRole('button', { name: 'Change password' })).toBeTruthy();
    expect((await logIn(person.email, NEW_PASSWORD)).status).toBe(200);
  });
});

describe('the create-API-key form', () => {
  const open = async (person: TestPerson) => {
    pages.signIn(person);
    const { user } = await pages.render('/settings/api-keys');
    const form = await screen.findByRole('form', { name: 'Create an API key' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Create key' }));
    return { user, form, submit };
  };

  const keysOf = async (person: TestPerson) =>
    (await read(await request(pages.tally, 'GET', '/api/auth/api-keys', { as: person }))).items as {
      name: string;
      scopes: string[];
    }[];

  it('says what is missing or wrong, and sends nothing', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, form, submit } = await open(person);
    await submit();
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Enter a name for the key');
    await user.click(field(form, /^Name\W*$/));
    await user.paste('k'.repeat(101));
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Use at most 100 characters');
    await user.type(field(form, /^Expires/), '2020-01-01');
    expect(field(form, /^Expires/).value).toBe('2020-01-01');
    expect(fieldError(field(form, /^Expires/))).toBe('Choose a day after today');
    await submit();
    expect(sentTo(pages, 'POST', '/api/auth/api-keys')).toEqual([]);
    expect(await keysOf(person)).toEqual([]);
  });

  it('puts the 400 for a NUL character next to the name, keeping it', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, form, submit } = await open(person);
    await user.type(field(form, /^Name\W*$/), 'billing\u0000server');
    await submit();
    await waitFor(() =>
      expect(fieldError(field(form, /^Name\W*$/))).toBe('Must not contain a NUL character.'),
    );
    expect(field(form, /^Name\W*$/).getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(field(form, /^Name\W*$/).value).toBe('billing\u0000server');
    expect(await keysOf(person)).toEqual([]);
  });

  it('sends a person whose session ended meanwhile to log in again, keeping the name', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, form, submit } = await open(person);
    await endSessionsOf(person);
    await user.type(field(form, /^Name\W*$/), 'billing server');
    await submit();
    await sentToLogIn('/settings/api-keys');
    expect(keptDraft('create-api-key')).toMatchObject({ name: 'billing server' });
  });

  it('creates the key: its secret is shown once, and it is listed with its scope', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, form, submit } = await open(person);
    expect(await screen.findByText('No API keys yet')).toBeTruthy();
    await user.type(field(form, /^Name\W*$/), 'billing server');
    await user.click(field(form, /^Scopes/));
    await user.click(await screen.findByRole('option', { name: /^profile:read — /, hidden: true }));
    await submit();

    const dialog = await screen.findByRole('dialog', { name: 'API key “billing server” created' });
    const secret = within(dialog).getByLabelText('Secret').textContent;
    expect(secret).toMatch(/^tally_key_\S{20,}$/);
    const call = await request(pages.tally, 'GET', '/api/auth/me', {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(call.status).toBe(200);
    await user.click(within(dialog).getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    expect(await keysOf(person)).toMatchObject([{ name: 'billing server', scopes: ['profile:read'] }]);
    const row = (await screen.findByText('billing server')).closest('tr')!;
    expect(within(row).getByText('profile:read')).toBeTruthy();
    expect(within(row).getByText('active')).toBeTruthy();
    expect(field(form, /^Name\W*$/).value).toBe('');
  });

  it('puts the 400 for an expiry the server finds past next to the expiry', async () => {
    // The browser's clock is behind the server's: a day it offers is past for Tally.
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
    const day = [
      tomorrow.getFullYear(),
      String(tomorrow.getMonth() + 1).padStart(2, '0'),
      String(tomorrow.getDate()).padStart(2, '0'),
    ].join('-');
    pages.tally.clock.set(new Date(Date.now() + 7 * 24 * 3600 * 1000));
    const person = await signedInPerson(pages.tally);
    const { user, form, submit } = await open(person);
    await user.type(field(form, /^Name\W*$/), 'billing server');
    await user.type(field(form, /^Expires/), day);
    expect(fieldError(field(form, /^Expires/))).toBeNull();
    await submit();
    await waitFor(() =>
      expect(fieldError(field(form, /^Expires/))).toBe('The expiry must be in the future.'),
    );
    expect(field(form, /^Expires/).getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(field(form, /^Expires/).value).toBe(day);
    expect(field(form, /^Name\W*$/).value).toBe('billing server');
    expect(await keysOf(person)).toEqual([]);
  });
});

describe('the sessions list', () => {
  const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
  const SAFARI =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

  it('names each browser by its browser and system, and keeps its own words in a tooltip', async () => {
    const person = await signedInPerson(pages.tally);
    await pages.tally.database.db.execute(
      sql`UPDATE core_sessions SET user_agent = ${FIREFOX} WHERE user_id = ${person.userId}`,
    );
    // Another browser of the same person: a copy of the session, on a phone.
    await pages.tally.database.db.execute(sql`
      INSERT INTO core_sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at, user_agent)
      SELECT gen_random_uuid(), user_id, md5(token_hash), created_at, expires_at, last_seen_at, ${SAFARI}
      FROM core_sessions WHERE user_id = ${person.userId}`);
    await openProfile(person);
    const sessions = await screen.findByRole('region', { name: 'Sessions' });
    const firefox = await within(sessions).findByText('Firefox on Windows');
    expect(firefox.getAttribute('title')).toBe(FIREFOX);
    expect(within(firefox.closest('tr')!).getByText('This browser')).toBeTruthy();
    expect(within(sessions).getByText('Safari on iPhone').getAttribute('title')).toBe(SAFARI);
    expect(within(sessions).queryByText(FIREFOX)).toBeNull();
  });
});
