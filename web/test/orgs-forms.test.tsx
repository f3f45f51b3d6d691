import { notifications } from '@mantine/notifications';
import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/core/database';
import { read, request, signedInPerson, type TestPerson } from '../../test/support/app';
import { field, fieldError, formAlert, sentTo, tallyPages } from './support/pages';
import { keptDraft, sentToLogIn } from './support/session-ended';

/**
 * Tally's own kinds: the core's team, which anyone may create, invite to and rename, and the
 * credits workspace, which only administrators create here (its line invites and renames).
 */
const pages = tallyPages();

afterEach(() => {
  pages.tally.clock.advance(2 * 3600 * 1000);
  notifications.clean();
});

/**
 * Chooses an option of a Mantine Select. Its dropdown stays `display: none` in jsdom (no layout, so
 * the popover takes its input for detached), hence `hidden: true`; the click is the person's.
 */
async function choose(user: UserEvent, input: HTMLElement, option: string) {
  await user.click(input);
  await user.click(within(listboxOf(input)).getByRole('option', { name: option, hidden: true }));
}

/** The list of options a Select's input opened (other selects on the page have theirs). */
function listboxOf(input: HTMLElement): HTMLElement {
  const listbox = document.getElementById(input.getAttribute('aria-controls') ?? '');
  if (!listbox) throw new Error('the select has no open list of options');
  return listbox;
}

const endSessionsOf = (person: TestPerson) =>
  pages.tally.database.db.execute(
    sql`UPDATE core_sessions SET revoked_at = now() WHERE user_id = ${person.userId}`,
  );

async function teamOf(owner: TestPerson, name: string): Promise<string> {
  const created = await request(pages.tally, 'POST', '/api/orgs', {
    as: owner,
    body: { kind: 'team', name },
  });
  expect(created.status).toBe(201);
  return (await read(created)).id;
}

async function addMember(orgId: string, person: TestPerson, role: string) {
  await pages.tally.database.db.execute(sql`
    INSERT INTO core_memberships (organization_id, user_id, role, created_at)
    VALUES (${orgId}, ${person.userId}, ${role}, ${pages.tally.clock.now()})`);
}

async function changeRole(owner: TestPerson, orgId: string, person: TestPerson, role: string) {
  const changed = await request(pages.tally, 'PATCH', `/api/orgs/${orgId}/members/${person.userId}`, {
    as: owner,
    body: { role },
  });
  expect(changed.status).toBe(200);
}

async function removeMember(owner: TestPerson, orgId: string, person: TestPerson) {
  const removed = await request(pages.tally, 'DELETE', `/api/orgs/${orgId}/members/${person.userId}`, {
    as: owner,
  });
  expect(removed.status).toBe(204);
}

const organisationsOf = async (person: TestPerson) =>
  queryRows<{ kind: string; name: string; role: string }>(
    pages.tally.database.db,
    sql`SELECT o.kind, o.name, m.role FROM core_organizations o
        JOIN core_memberships m ON m.organization_id = o.id
        WHERE m.user_id = ${person.userId} ORDER BY o.name`,
  );

describe('the create-organisation form', () => {
  const open = async (person: TestPerson) => {
    pages.signIn(person);
    const { user, router } = await pages.render('/orgs');
    const form = await screen.findByRole('form', { name: 'Create an organisation' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Create organisation' }));
    return { user, router, form, submit };
  };

  it('offers a person the one kind they may create, asks for a name, and sends nothing without one', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, form, submit } = await open(person);
    expect(field(form, /^Kind\W*$/).value).toBe('Team');
    await submit();
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Enter a name');
    expect(fieldError(field(form, /^Kind\W*$/))).toBeNull();
    await user.type(field(form, /^Name\W*$/), '   ');
    await submit();
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Enter a name');
    await user.click(field(form, /^Name\W*$/));
    await user.paste('n'.repeat(201));
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Use at most 200 characters');
    await submit();
    expect(sentTo(pages, 'POST', '/api/orgs')).toEqual([]);
  });

  it('offers an administrator only the kinds made here, says where the others are made, and sends nothing without a name', async () => {
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    const { user, form, submit } = await open(admin);
    expect(field(form, /^Kind\W*$/).value).toBe('Team');
    await user.click(field(form, /^Kind\W*$/));
    const offered = within(listboxOf(field(form, /^Kind\W*$/)))
      .getAllByRole('option', { hidden: true })
      .map((option) => option.textContent);
    // A workspace or a buyers club has the line's own record beside it: it is made in its line.
    expect(offered).toEqual(['Team']);
    expect(
      within(form).getByText(
        'Buyers club, Workspace: each is made from its own product line’s pages, with what it needs there.',
      ),
    ).toBeTruthy();
    await submit();
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Enter a name');
    expect(sentTo(pages, 'POST', '/api/orgs')).toEqual([]);
  });

  it('puts the 400 for a NUL character next to the name, keeping it', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, form, submit } = await open(person);
    await user.type(field(form, /^Name\W*$/), 'Green\u0000Valley');
    await submit();
    await waitFor(() =>
      expect(fieldError(field(form, /^Name\W*$/))).toBe('Must not contain a NUL character.'),
    );
    expect(field(form, /^Name\W*$/).getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(field(form, /^Name\W*$/).value).toBe('Green\u0000Valley');
    expect(await organisationsOf(person)).toEqual([]);
  });

  it('sends a person whose session ended meanwhile to log in again, keeping the name', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, form, submit } = await open(person);
    await endSessionsOf(person);
    await user.type(field(form, /^Name\W*$/), 'Green Valley');
    await submit();
    await sentToLogIn('/orgs');
    expect(keptDraft('create-organisation')).toMatchObject({ name: 'Green Valley' });
    expect(await organisationsOf(person)).toEqual([]);
  });

  it('creates the organisation and opens its page, with its creator as owner', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, router, form, submit } = await open(person);
    await user.type(field(form, /^Name\W*$/), '  Green Valley ');
    await submit();
    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/orgs\/[0-9a-f-]{36}$/));
    expect(await screen.findByRole('heading', { level: 1, name: 'Green Valley' })).toBeTruthy();
    expect(await screen.findByText('Your role: Owner')).toBeTruthy();
    expect(sentTo(pages, 'POST', '/api/orgs').map((sent) => sent.body)).toEqual([
      { kind: 'team', name: 'Green Valley' },
    ]);
    expect(await organisationsOf(person)).toEqual([{ kind: 'team', name: 'Green Valley', role: 'owner' }]);
  });
});

describe('the invitation form', () => {
  const open = async (person: TestPerson, orgId: string) => {
    pages.signIn(person);
    const { user } = await pages.render(`/orgs/${orgId}`);
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Send invitation' }));
    return { user, form, submit };
  };

  const invitationsTo = (orgId: string) =>
    queryRows<{ email: string; role: string }>(
      pages.tally.database.db,
      sql`SELECT email, role FROM core_invitations
          WHERE organization_id = ${orgId} AND revoked_at IS NULL ORDER BY email`,
    );

  it('checks the address as typed, and sends nothing until it is one', async () => {
    const owner = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Checked team');
    const { user, form, submit } = await open(owner, orgId);
    expect(field(form, /^Role\W*$/).value).toBe('Member');
    await submit();
    expect(fieldError(field(form, /^Email\W*$/))).toBe('Enter an email address');
    await user.type(field(form, /^Email\W*$/), 'ada.example.com');
    expect(fieldError(field(form, /^Email\W*$/))).toBe('Enter an email address like ada@example.com');
    await submit();
    expect(sentTo(pages, 'POST', `/api/orgs/${orgId}/invitations`)).toEqual([]);
    expect(await invitationsTo(orgId)).toEqual([]);
  });

  it('puts the 400 for an address the server refuses next to the email, keeping it', async () => {
    const owner = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Strict team');
    const { user, form, submit } = await open(owner, orgId);
    await user.type(field(form, /^Email\W*$/), 'ada@exa_mple.test');
    expect(fieldError(field(form, /^Email\W*$/))).toBeNull();
    await submit();
    await waitFor(() => expect(fieldError(field(form, /^Email\W*$/))).toBe('Invalid email address.'));
    expect(field(form, /^Email\W*$/).getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(field(form, /^Email\W*$/).value).toBe('ada@exa_mple.test');
    expect(await invitationsTo(orgId)).toEqual([]);
  });

  it('shows the 403 for a role beyond the inviter’s own above the button', async () => {
    const owner = await signedInPerson(pages.tally);
    const admin = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Reach team');
    await addMember(orgId, admin, 'admin');
    const { user, form, submit } = await open(admin, orgId);
    await user.type(field(form, /^Email\W*$/), 'grace@example.test');
    await choose(user, field(form, /^Role\W*$/), 'Owner');
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe(
        'Your role (admin) cannot grant the Owner role: it carries permissions you do not hold.',
      ),
    );
    expect(field(form, /^Email\W*$/).value).toBe('grace@example.test');
    expect(field(form, /^Role\W*$/).value).toBe('Owner');
    expect(await invitationsTo(orgId)).toEqual([]);
  });

  it('shows the 403 when the inviter’s role no longer lets them invite', async () => {
    const owner = await signedInPerson(pages.tally);
    const admin = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Demoted team');
    await addMember(orgId, admin, 'admin');
    const { user, form, submit } = await open(admin, orgId);
    await changeRole(owner, orgId, admin, 'member');
    await user.type(field(form, /^Email\W*$/), 'grace@example.test');
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe('Your role (member) does not allow "members.invite" here.'),
    );
    expect(field(form, /^Email\W*$/).value).toBe('grace@example.test');
    expect(await invitationsTo(orgId)).toEqual([]);
  });

  it('shows the 404 when the inviter was removed meanwhile', async () => {
    const owner = await signedInPerson(pages.tally);
    const admin = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Left team');
    await addMember(orgId, admin, 'admin');
    const { user, form, submit } = await open(admin, orgId);
    await removeMember(owner, orgId, admin);
    await user.type(field(form, /^Email\W*$/), 'grace@example.test');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('Organization not found.'));
    expect(field(form, /^Email\W*$/).value).toBe('grace@example.test');
    expect(await invitationsTo(orgId)).toEqual([]);
  });

  it('shows the 409 for someone who is a member already', async () => {
    const owner = await signedInPerson(pages.tally);
    const member = await signedInPerson(pages.tally, { email: 'already@example.test' });
    const orgId = await teamOf(owner, 'Full team');
    await addMember(orgId, member, 'member');
    const { user, form, submit } = await open(owner, orgId);
    await user.type(field(form, /^Email\W*$/), 'Already@Example.test');
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe('already@example.test is already a member of Full team.'),
    );
    expect(field(form, /^Email\W*$/).value).toBe('Already@Example.test');
    expect(await invitationsTo(orgId)).toEqual([]);
  });

  it('sends a person whose session ended meanwhile to log in again, keeping the address', async () => {
    const owner = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Ended team');
    const { user, form, submit } = await open(owner, orgId);
    await endSessionsOf(owner);
    await user.type(field(form, /^Email\W*$/), 'grace@example.test');
    await submit();
    await sentToLogIn(`/orgs/${orgId}`);
    expect(keptDraft('invite')).toMatchObject({ email: 'grace@example.test' });
    expect(await invitationsTo(orgId)).toEqual([]);
  });

  it('mails the invitation, lists it with its role, and empties the form', async () => {
    const owner = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Welcoming team');
    const { user, form, submit } = await open(owner, orgId);
    expect(await screen.findByText('No open invitations')).toBeTruthy();
    await user.type(field(form, /^Email\W*$/), 'grace@example.test');
    await choose(user, field(form, /^Role\W*$/), 'Admin');
    await submit();
    await waitFor(() => expect(screen.getByText('Invitation mailed to grace@example.test.')).toBeTruthy());
    const table = await screen.findByRole('table', { name: 'Open invitations' });
    const row = within(table).getByText('grace@example.test').closest('tr')!;
    expect(within(row).getByText('Admin')).toBeTruthy();
    expect(field(form, /^Email\W*$/).value).toBe('');
    expect(field(form, /^Role\W*$/).value).toBe('Member');
    expect(await invitationsTo(orgId)).toEqual([{ email: 'grace@example.test', role: 'admin' }]);
    const [mail] = await queryRows<{ text: string }>(
      pages.tally.database.db,
      sql`SELECT text FROM core_mail_messages WHERE to_address = 'grace@example.test'`,
    );
    expect(mail?.text).toMatch(/\/invitations\/[A-Za-z0-9_-]{20,}/);
  });
});

describe('the rename form of an organisation', () => {
  const open = async (person: TestPerson, orgId: string) => {
    pages.signIn(person);
    const { user } = await pages.render(`/orgs/${orgId}`);
    const form = await screen.findByRole('form', { name: 'Rename the organisation' });
    const button = () => within(form).getByRole('button', { name: 'Rename' }) as HTMLButtonElement;
    return { user, form, button, submit: () => user.click(button()) };
  };

  const nameOf = async (orgId: string) =>
    (
      await queryRows<{ name: string }>(
        pages.tally.database.db,
        sql`SELECT name FROM core_organizations WHERE id = ${orgId}`,
      )
    )[0]?.name;

  it('asks for a name of at most 200 characters, and sends nothing otherwise', async () => {
    const owner = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Old name');
    const { user, form, button, submit } = await open(owner, orgId);
    expect(field(form, /^Name\W*$/).value).toBe('Old name');
    expect(button().disabled).toBe(true);
    await user.clear(field(form, /^Name\W*$/));
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Enter a name');
    await submit();
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Enter a name');
    await user.click(field(form, /^Name\W*$/));
    await user.paste('n'.repeat(201));
    expect(fieldError(field(form, /^Name\W*$/))).toBe('Use at most 200 characters');
    await submit();
    expect(sentTo(pages, 'PATCH', `/api/orgs/${orgId}`)).toEqual([]);
    expect(await nameOf(orgId)).toBe('Old name');
  });

  it('puts the 400 for a NUL character next to the name, keeping it', async () => {
    const owner = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Old name');
    const { user, form, submit } = await open(owner, orgId);
    await user.clear(field(form, /^Name\W*$/));
    await user.type(field(form, /^Name\W*$/), 'New\u0000name');
    await submit();
    await waitFor(() =>
      expect(fieldError(field(form, /^Name\W*$/))).toBe('Must not contain a NUL character.'),
    );
    expect(field(form, /^Name\W*$/).getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(field(form, /^Name\W*$/).value).toBe('New\u0000name');
    expect(await nameOf(orgId)).toBe('Old name');
  });

  it('shows the 403 when the person’s role no longer lets them rename', async () => {
    const owner = await signedInPerson(pages.tally);
    const admin = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Old name');
    await addMember(orgId, admin, 'admin');
    const { user, form, submit } = await open(admin, orgId);
    await changeRole(owner, orgId, admin, 'member');
    await user.clear(field(form, /^Name\W*$/));
    await user.type(field(form, /^Name\W*$/), 'New name');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('Your role (member) does not allow "org.update" here.'));
    expect(field(form, /^Name\W*$/).value).toBe('New name');
    expect(await nameOf(orgId)).toBe('Old name');
  });

  it('shows the 404 when the person was removed meanwhile', async () => {
    const owner = await signedInPerson(pages.tally);
    const admin = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Old name');
    await addMember(orgId, admin, 'admin');
    const { user, form, submit } = await open(admin, orgId);
    await removeMember(owner, orgId, admin);
    await user.clear(field(form, /^Name\W*$/));
    await user.type(field(form, /^Name\W*$/), 'New name');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('Organization not found.'));
    expect(field(form, /^Name\W*$/).value).toBe('New name');
    expect(await nameOf(orgId)).toBe('Old name');
  });

  it('sends a person whose session ended meanwhile to log in again, keeping the name', async () => {
    const owner = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Old name');
    const { user, form, submit } = await open(owner, orgId);
    await endSessionsOf(owner);
    await user.clear(field(form, /^Name\W*$/));
    await user.type(field(form, /^Name\W*$/), 'New name');
    await submit();
    await sentToLogIn(`/orgs/${orgId}`);
    expect(keptDraft('rename')).toEqual({ name: 'New name' });
    expect(await nameOf(orgId)).toBe('Old name');
  });

  it('renames the organisation: the page shows the new name, and the button waits for the next change', async () => {
    const owner = await signedInPerson(pages.tally);
    const orgId = await teamOf(owner, 'Old name');
    const { user, form, button, submit } = await open(owner, orgId);
    await user.clear(field(form, /^Name\W*$/));
    await user.type(field(form, /^Name\W*$/), ' New name  ');
    await submit();
    await waitFor(() => expect(screen.getByText('The organisation is renamed.')).toBeTruthy());
    expect(screen.getByRole('heading', { level: 1, name: 'New name' })).toBeTruthy();
    expect(sentTo(pages, 'PATCH', `/api/orgs/${orgId}`).map((sent) => sent.body)).toEqual([
      { name: 'New name' },
    ]);
    expect(await nameOf(orgId)).toBe('New name');
    expect(formAlert(form)).toBeNull();
    await waitFor(() => expect(button().disabled).toBe(true));
    expect(field(form, /^Name\W*$/).value).toBe('New name');
  });
});
