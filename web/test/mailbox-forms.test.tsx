import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../test/support/app';
import { formAlert, sentTo, tallyPages } from './support/pages';

/** The Mailbox open to visitors, as on a developer's own machine: anyone reads every mail. */
const pages = tallyPages({ mailboxOpen: true });

afterEach(() => void pages.tally.clock.advance(2 * 3600 * 1000));

beforeAll(async () => {
  for (const [name, email] of [
    ['Ada', 'ada@example.test'],
    ['Grace', 'grace@example.test'],
  ]) {
    const signup = await request(pages.tally, 'POST', '/api/auth/signup', { body: { name, email } });
    expect(signup.status).toBe(202);
  }
});

/** The filter has no checks of its own: what the server refuses shows where the mail would. */
describe('the Mailbox’s filter', () => {
  const open = async () => {
    const { user } = await pages.render('/mailbox');
    const form = screen.getByRole('form', { name: 'Filter the mailbox' });
    const input = within(form).getByLabelText(/^To/) as HTMLInputElement;
    const filter = () => user.click(within(form).getByRole('button', { name: 'Filter' }));
    return { user, form, input, filter };
  };

  /** The alert that says why the mail could not be listed (the Mailbox's own note is an alert too). */
  const loadError = async () =>
    (await screen.findByText('This could not be loaded')).closest<HTMLElement>('[role="alert"]')!;

  /** The recipients of the mail listed, once the list has loaded. */
  const recipients = async () => {
    const table = await screen.findByRole('table');
    return within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => within(row).getAllByRole('cell')[1]!.textContent);
  };

  it('lists the mail of one address, whatever its case, and all of it again when emptied', async () => {
    const { user, input, filter } = await open();
    expect((await recipients()).sort()).toEqual(['ada@example.test', 'grace@example.test']);
    await user.type(input, ' Grace@Example.test ');
    await filter();
    await waitFor(async () => expect(await recipients()).toEqual(['grace@example.test']));
    expect(sentTo(pages, 'GET', '/api/mail/messages?to=Grace%40Example.test')).toHaveLength(1);
    expect(input.value).toBe(' Grace@Example.test ');

    await user.clear(input);
    await filter();
    await waitFor(async () => expect(await recipients()).toHaveLength(2));
  });

  it('says when no mail went to the address', async () => {
    const { user, input, filter } = await open();
    await user.type(input, 'nobody@example.test');
    await filter();
    expect(await screen.findByText('No mail yet')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows the 400 for an address too short to be one, keeping what was typed', async () => {
    const { user, form, input, filter } = await open();
    await user.type(input, 'ab');
    await filter();
    const alert = await loadError();
    expect(within(alert).getByText('To: Too small: expected string to have >=3 characters.')).toBeTruthy();
    expect(within(alert).getByText('HTTP 400 · validation_failed')).toBeTruthy();
    expect(formAlert(form)).toBeNull();
    expect(input.value).toBe('ab');
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows the 400 for a NUL character in the address', async () => {
    const { user, input, filter } = await open();
    await user.type(input, 'ada\u0000@example.test');
    await filter();
    const alert = await loadError();
    expect(within(alert).getByText('To: must not contain a NUL character.')).toBeTruthy();
    expect(input.value).toBe('ada\u0000@example.test');
  });
});
