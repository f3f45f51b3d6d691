import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { read, request, signedInPerson, type TestPerson } from '../../test/support/app';
import { field, formAlert, sentTo, tallyPages } from './support/pages';
import { sentToLogIn } from './support/session-ended';

const pages = tallyPages();

afterEach(() => void pages.tally.clock.advance(2 * 3600 * 1000));

/** The audit filters have no checks of their own: what the server refuses shows where the entries would. */
describe('the audit log’s filters', () => {
  const open = async (admin: TestPerson, path = '/admin/audit') => {
    pages.signIn(admin);
    const { user, router } = await pages.render(path);
    await screen.findByRole('form', { name: 'Filter the audit log' });
    // Applied filters are the page's address, and the form is made anew from it: look it up each time.
    const form = () => screen.getByRole('form', { name: 'Filter the audit log' });
    const apply = () => user.click(within(form()).getByRole('button', { name: 'Apply filters' }));
    return { user, router, form, apply };
  };

  /** The actions of the entries listed, newest first, once the list has loaded. */
  const listedActions = async () => {
    const table = await screen.findByRole('table');
    return within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => within(row).getAllByRole('cell')[1]!.textContent);
  };

  /** Something for the log: a person makes a team, renames it, and changes their own name. */
  async function auditedTeam() {
    const person = await signedInPerson(pages.tally);
    const created = await request(pages.tally, 'POST', '/api/orgs', {
      as: person,
      body: { kind: 'team', name: 'Audited team' },
    });
    const orgId: string = (await read(created)).id;
    const renamed = await request(pages.tally, 'PATCH', `/api/orgs/${orgId}`, {
      as: person,
      body: { name: 'Audited team, renamed' },
    });
    expect(renamed.status).toBe(200);
    const named = await request(pages.tally, 'PATCH', '/api/auth/me', {
      as: person,
      body: { name: 'Audited' },
    });
    expect(named.status).toBe(200);
    return { person, orgId };
  }

  const errorShown = async () => {
    const alert = await screen.findByRole('alert');
    return alert.textContent;
  };

  it('filters by organisation, by action and actor, and clears the filters', async () => {
    const { person, orgId } = await auditedTeam();
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    const { user, router, form, apply } = await open(admin);
    expect(await listedActions()).toEqual(
      expect.arrayContaining(['user.update', 'organization.update', 'organization.create']),
    );

    await user.type(field(form(), /^Organisation id/), ` ${orgId} `);
    await apply();
    await waitFor(() => expect(router.state.location.search).toBe(`?organization_id=${orgId}`));
    await waitFor(async () =>
      expect(await listedActions()).toEqual(['organization.update', 'organization.create']),
    );
    expect(sentTo(pages, 'GET', `/api/audit?organization_id=${orgId}&limit=50`)).toHaveLength(1);
    expect(field(form(), /^Organisation id/).value).toBe(orgId);

    await user.click(within(form()).getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(field(form(), /^Organisation id/).value).toBe('');
    await waitFor(async () => expect(await listedActions()).toContain('user.update'));

    await user.type(field(form(), /^Action/), 'user.update');
    await user.type(field(form(), /^Actor/), person.userId);
    await apply();
    await waitFor(async () => expect(await listedActions()).toEqual(['user.update']));
    expect(
      sentTo(pages, 'GET', `/api/audit?action=user.update&actor_user_id=${person.userId}&limit=50`),
    ).toHaveLength(1);
  });

  it('says when no entry matches, as before any entry was written', async () => {
    await auditedTeam();
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    const { form, apply } = await open(admin);
    // The browser's date-and-time picker sets the whole value at once.
    fireEvent.change(field(form(), /^Before/), { target: { value: '2020-01-01T00:00' } });
    await apply();
    expect(await screen.findByText('No entries match')).toBeTruthy();
    expect(field(form(), /^Before/).value).toBe('2020-01-01T00:00');
    // Sent as the instant that local time is, with its offset.
    const before = encodeURIComponent(new Date('2020-01-01T00:00').toISOString());
    expect(sentTo(pages, 'GET', `/api/audit?to=${before}&limit=50`)).toHaveLength(1);
  });

  it('shows the 400 for an actor id that is not one, keeping what was typed', async () => {
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    const { user, form, apply } = await open(admin);
    await user.type(field(form(), /^Actor/), 'not-a-uuid');
    await apply();
    expect(await errorShown()).toBe(
      'This could not be loadedactor_user_id: Invalid UUID.HTTP 400 · validation_failedTry again',
    );
    expect(formAlert(form())).toBeNull();
    expect(field(form(), /^Actor/).value).toBe('not-a-uuid');
  });

  it('shows the 403 when the person is no longer an administrator', async () => {
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    const { user, form, apply } = await open(admin);
    await pages.tally.database.db.execute(
      sql`UPDATE core_users SET is_admin = false WHERE id = ${admin.userId}`,
    );
    await user.type(field(form(), /^Action/), 'user.update');
    await apply();
    expect(await errorShown()).toBe(
      'You may not see thisOnly an administrator may do this.HTTP 403 · forbiddenTry again',
    );
    expect(field(form(), /^Action/).value).toBe('user.update');
  });

  it('sends an administrator whose session ended meanwhile to log in again, and back to the filtered log', async () => {
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    const { user, form, apply } = await open(admin);
    await pages.tally.database.db.execute(
      sql`UPDATE core_sessions SET revoked_at = now() WHERE user_id = ${admin.userId}`,
    );
    await user.type(field(form(), /^Object type/), 'organization');
    await apply();
    await sentToLogIn('/admin/audit?object_type=organization');
  });
});
