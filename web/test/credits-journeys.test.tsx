import { cleanup, screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/core/database';
import { personWithPassword, signedInPerson, type TestPerson } from '../../test/support/app';
import { buy, creditsAdmin, makeProduct, ok, setPrice } from '../../test/support/credits';
import { keepDrafts } from '../src/session/formDrafts';
import {
  customer,
  endSessions,
  fact,
  field,
  freshEmail,
  freshName,
  installInputApis,
  workspaceActions,
  workspaceOf,
} from './support/credits-stage';
import { tallyPages } from './support/pages';

/**
 * What a new person met on the credits line's journeys, as they meet it: a session that ends while
 * they type, an invitation into a workspace, the words each page uses for whose credits are whose,
 * and the buttons that cannot work.
 */

const pages = tallyPages();
const PASSWORD = 'correct horse battery';

let admin: TestPerson;
beforeAll(async () => {
  installInputApis();
  admin = await creditsAdmin(pages.tally);
  // The line's pages are a bundle of their own: loaded once here, not within the first test's wait.
  await import('../src/lines/credits/CreditsPages');
});
// Each test starts a fresh hour, so the per-address limits of one test do not reach the next.
afterEach(() => void pages.tally.clock.advance(2 * 3600 * 1000));

/** A person who can log in with PASSWORD and holds a product allowing workspaces and invitations. */
async function buyerWithPassword(): Promise<TestPerson> {
  const product = await makeProduct(pages.tally, admin, { type: 'generic', permissions: workspaceActions });
  const person = await personWithPassword(pages.tally, PASSWORD, { email: freshEmail(), name: 'Ada Buyer' });
  await buy(pages.tally, admin, person.email, product.id);
  return person;
}

type Router = Awaited<ReturnType<typeof pages.render>>['router'];

/** The log-in a session that ended leads to, and back to `path` afterwards. */
async function logInAgain(user: UserEvent, router: Router, path: string) {
  await waitFor(() =>
    expect(router.state.location.pathname + router.state.location.search).toBe(
      `/login?next=${encodeURIComponent(path)}&session=ended`,
    ),
  );
  const form = await screen.findByRole('form', { name: 'Log in' });
  expect(within(form).getByText('Your session ended')).toBeTruthy();
  await user.type(field(form, /^Password/), PASSWORD);
  await user.click(within(form).getByRole('button', { name: 'Log in' }));
  await waitFor(() => expect(router.state.location.pathname + router.state.location.search).toBe(path));
}

describe('a session that ends while a form is filled in', () => {
  it('leads from the workspace form to the log-in and back, with the name typed kept', async () => {
    const person = await buyerWithPassword();
    pages.signIn(person);
    const { user, router } = await pages.render('/credits/workspaces');
    let form = await screen.findByRole('form', { name: 'Create a workspace' });
    const name = freshName();
    await user.type(field(form, /^Name\W*$/), name);
    await endSessions(pages.tally, person);
    await user.click(within(form).getByRole('button', { name: 'Create workspace' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    const login = await screen.findByRole('form', { name: 'Log in' });
    expect(field(login, /^Email/).value).toBe(person.email);
    await logInAgain(user, router, '/credits/workspaces');

    form = await screen.findByRole('form', { name: 'Create a workspace' });
    await waitFor(() => expect(field(form, /^Name\W*$/).value).toBe(name));
    expect(await screen.findByText('What you typed is back')).toBeTruthy();
    // Taken back once: nothing of it stays in the browser.
    expect(window.sessionStorage.length).toBe(0);
    await user.click(within(form).getByRole('button', { name: 'Create workspace' }));
    await screen.findByRole('heading', { level: 1, name });
  });

  it('keeps the address typed in a workspace’s invitation form', async () => {
    const person = await buyerWithPassword();
    const workspace = await workspaceOf(pages.tally, person);
    pages.signIn(person);
    const path = `/credits/workspaces/${workspace.id}`;
    const { user, router } = await pages.render(path);
    let form = await screen.findByRole('form', { name: 'Invite someone' });
    await user.type(field(form, /^Email\W*$/), 'bob@example.com');
    await endSessions(pages.tally, person);
    await user.click(within(form).getByRole('button', { name: 'Send invitation' }));
    await logInAgain(user, router, path);
    form = await screen.findByRole('form', { name: 'Invite someone' });
    await waitFor(() => expect(field(form, /^Email\W*$/).value).toBe('bob@example.com'));
  });

  it('keeps the usage filters typed, and comes back to the filtered history', async () => {
    const person = await buyerWithPassword();
    pages.signIn(person);
    const { user, router } = await pages.render('/credits/usage');
    let form = await screen.findByRole('form', { name: 'Filter the usage history' });
    await user.type(field(form, /^Used for/), 'post:42');
    await endSessions(pages.tally, person);
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));
    await logInAgain(user, router, '/credits/usage?used_for=post%3A42');
    form = await screen.findByRole('form', { name: 'Filter the usage history' });
    await waitFor(() => expect(field(form, /^Used for/).value).toBe('post:42'));
  });

  it('never keeps a password: the first-login form keeps the address and the workspace only', async () => {
    const person = await signedInPerson(pages.tally, { email: freshEmail() });
    pages.signIn(person);
    const { user } = await pages.render('/credits/welcome');
    const form = await screen.findByRole('form', { name: 'Finish setting up your account' });
    await user.type(field(form, /^Email/), 'ada@example.com');
    await user.type(field(form, /^Temporary password/), 'aaaa-bbbb-cccc-dddd');
    await user.type(field(form, /^New password/), 'my own password 42');
    await user.type(field(form, /^First workspace/), 'Marketing');
    keepDrafts();
    const kept = Object.keys(window.sessionStorage).map((key) => window.sessionStorage.getItem(key));
    expect(kept).toEqual([JSON.stringify({ email: 'ada@example.com', workspace_name: 'Marketing' })]);
  });

  it('does not send a visitor who was never signed in to the log-in', async () => {
    pages.signIn(null);
    const { router } = await pages.render('/credits/products');
    await screen.findByRole('heading', { level: 1, name: 'Buy credits' });
    expect(router.state.location.pathname).toBe('/credits/products');
  });
});

/** The token of the newest invitation mailed to `email`. */
async function invitationToken(email: string): Promise<string> {
  const mails = await queryRows<{ text: string }>(
    pages.tally.database.db,
    sql`SELECT text FROM core_mail_messages WHERE to_address = ${email} ORDER BY created_at DESC, id DESC`,
  );
  const token = mails.map(({ text }) => /\/invitations\/([A-Za-z0-9_-]+)/.exec(text)?.[1]).find(Boolean);
  if (!token) throw new Error(`no invitation mailed to ${email}`);
  return token;
}

/** A workspace of a buyer holding 100 credits, and an invitation into it for a new address. */
async function invitedTo(): Promise<{
  owner: TestPerson;
  workspace: { id: string; name: string };
  email: string;
}> {
  const { person: owner } = await customer(pages.tally, admin, { permissions: workspaceActions });
  const workspace = await workspaceOf(pages.tally, owner);
  const email = freshEmail('invited');
  await ok(pages.tally, 201, 'POST', `/api/credits/workspaces/${workspace.id}/invitations`, {
    as: owner,
    body: { email, role: 'member' },
  });
  return { owner, workspace, email };
}

describe('an invited member', () => {
  it('is offered a sign-up with the invited address filled in', async () => {
    const { email } = await invitedTo();
    const token = await invitationToken(email);
    pages.signIn(null);
    const { user, router } = await pages.render(`/invitations/${token}`);
    await user.click(await screen.findByRole('link', { name: 'Create an account' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/signup'));
    expect(new URLSearchParams(router.state.location.search).get('next')).toBe(`/invitations/${token}`);
    const form = screen.getByRole('form', { name: 'Sign up' });
    expect(field(form, /^Email/).value).toBe(email);
  });

  it('lands on the workspace’s credits page on accepting, seeing what can be spent there', async () => {
    const { workspace, email } = await invitedTo();
    const token = await invitationToken(email);
    const member = await signedInPerson(pages.tally, { email, name: 'Bob Member' });
    pages.signIn(member);
    const { user, router } = await pages.render(`/invitations/${token}`);
    await user.click(await screen.findByRole('button', { name: 'Accept and join' }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/credits/workspaces/${workspace.id}`));
    await screen.findByRole('heading', { level: 1, name: workspace.name });
    expect(screen.getByText('What you do here is paid by the workspace')).toBeTruthy();
    const credits = screen.getByRole('region', { name: 'Credits' });
    // The owner's 100 credits, less the 10 held in reserve for the workspace (which paid the invitation).
    await waitFor(() => expect(fact(credits, 'Available to spend here')).toBe('90 credits'));
    expect(fact(credits, 'Billing person')).toBe('Test Person');
    expect(screen.queryByText(/You have no credits/)).toBeNull();
  });

  it('sees the workspace’s balance on the credits dashboard, not an offer to buy', async () => {
    const { workspace, email } = await invitedTo();
    const member = await signedInPerson(pages.tally, { email, name: 'Bob Member' });
    await ok(pages.tally, 200, 'POST', `/api/invitations/${await invitationToken(email)}/accept`, {
      as: member,
    });
    pages.signIn(member);
    await pages.render('/credits');
    expect(await screen.findByText('You spend the credits of your workspaces')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('available-credits').textContent).toBe('90 credits'));
    const balance = screen.getByRole('region', { name: 'Balance' });
    expect(
      within(balance).getByText(
        `What can be spent in ${workspace.name}: its reserve first, then Test Person's credits.`,
      ),
    ).toBeTruthy();
    expect(screen.queryByText('You have no credits yet')).toBeNull();
  });
});

describe('a usage and a grant, each with its page', () => {
  it('leads from the usage history to the usage, to the grant that paid it, and to the purchase it came from', async () => {
    await setPrice(pages.tally, admin, 'generate_image', 3);
    const product = await makeProduct(pages.tally, admin, {
      type: 'generic',
      credits: 40,
      permissions: ['generate_image'],
    });
    const person = await personWithPassword(pages.tally, PASSWORD, {
      email: freshEmail(),
      name: 'Ada Buyer',
    });
    const purchase = await buy(pages.tally, admin, person.email, product.id);
    await ok(pages.tally, 200, 'POST', '/api/credits/charge', {
      as: person,
      headers: { 'idempotency-key': `image-${person.userId}` },
      body: { action: 'generate_image', used_for: 'image:sunset' },
    });
    pages.signIn(person);
    const { user, router } = await pages.render('/credits/usage');
    const usages = await screen.findByRole('table', { name: 'Usages' });
    const row = await within(usages).findByRole('row', { name: /image:sunset/ });
    await user.click(within(row).getAllByRole('link')[0]!);

    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/credits\/usage\/[0-9a-f-]{36}$/));
    await screen.findByRole('heading', { level: 1, name: 'Usage of 3 credits' });
    const paidBy = screen.getByRole('region', { name: 'Paid by' });
    await user.click(within(paidBy).getByRole('link', { name: `${product.name} (bought)` }));

    await screen.findByRole('heading', { level: 1, name: `${product.name} (bought)` });
    const grant = screen.getByRole('region', { name: 'Grant' });
    expect(fact(grant, 'Granted')).toBe('40 credits');
    expect(fact(grant, 'Left')).toBe('37 credits');
    expect(within(grant).getByRole('link', { name: 'Open the purchase' }).getAttribute('href')).toBe(
      `/credits/purchases/${purchase.id}`,
    );
    const spentOn = screen.getByRole('region', { name: 'Spent on' });
    const spent = await within(spentOn).findByRole('table', { name: 'Usages' });
    expect(within(spent).getAllByRole('row')).toHaveLength(2);
    expect(within(spent).getByRole('row', { name: /image:sunset.*3 credits/ })).toBeTruthy();
  });

  it('shows someone else no grant of another person’s', async () => {
    const holder = await buyerWithPassword();
    const [grant] = (await ok(pages.tally, 200, 'GET', '/api/credits/grants', { as: holder })).items;
    const stranger = await signedInPerson(pages.tally, { email: freshEmail('stranger') });
    pages.signIn(stranger);
    await pages.render(`/credits/grants/${grant.id}`);
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Not found')).toBeTruthy();
    expect(within(alert).getByText(/grant not found/i)).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Grant' })).toBeNull();
  });
});

describe('the words and states of the credits pages', () => {
  it('lists the four lines as lines people can use, none of them still being built', async () => {
    pages.signIn(null);
    await pages.render('/');
    const navigation = screen.getByRole('navigation', { name: 'Main' });
    const section = (title: string) =>
      within(within(navigation).getByRole('region', { name: title }))
        .getAllByRole('link')
        .map((link) => link.textContent);
    expect(section('Product lines')).toEqual(['Streams', 'Gateway', 'Coop', 'Credits']);
    expect(within(navigation).queryByRole('region', { name: 'Being built' })).toBeNull();
    expect(screen.getByText(/and so do Streams, Gateway, Coop and Credits\.$/)).toBeTruthy();
    expect(screen.queryByText(/still being built/)).toBeNull();
    expect(screen.queryByText(/pages of each line are being built/)).toBeNull();
    const cards = screen.getAllByRole('article').map((card) => within(card).getByRole('heading').textContent);
    expect(cards).toEqual(['Streams', 'Gateway', 'Coop', 'Credits']);
  });

  it('keeps the person a workspace bills in it while it is open, saying why', async () => {
    const { person: owner } = await customer(pages.tally, admin, { permissions: workspaceActions });
    const workspace = await workspaceOf(pages.tally, owner);
    // A second owner, so the rule that keeps one owner does not speak first.
    const email = freshEmail('co-owner');
    await ok(pages.tally, 201, 'POST', `/api/credits/workspaces/${workspace.id}/invitations`, {
      as: owner,
      body: { email, role: 'owner' },
    });
    const coOwner = await signedInPerson(pages.tally, { email });
    await ok(pages.tally, 200, 'POST', `/api/invitations/${await invitationToken(email)}/accept`, {
      as: coOwner,
    });
    pages.signIn(owner);
    await pages.render(`/credits/workspaces/${workspace.id}`);
    const members = await screen.findByRole('region', { name: 'Members' });
    const leave = (await within(members).findByRole('button', { name: 'Leave' })) as HTMLButtonElement;
    expect(leave.disabled).toBe(true);
    expect(
      within(members).getByText(
        'This workspace bills you, so you stay while it is open: archive it instead.',
      ),
    ).toBeTruthy();
  });

  it('tells a person who signed up by themselves that workspaces come with a product', async () => {
    const person = await signedInPerson(pages.tally, { email: freshEmail('self') });
    pages.signIn(person);
    await pages.render('/credits/workspaces');
    expect(await screen.findByText('Workspaces come with a product')).toBeTruthy();
    expect(screen.queryByText(/came with your account/)).toBeNull();
    expect(screen.getByRole('link', { name: 'See the products.' }).getAttribute('href')).toBe(
      '/credits/products',
    );
  });

  it('names whose credits a workspace draws on for an administrator looking at someone else’s', async () => {
    const { person: owner } = await customer(pages.tally, admin, { permissions: workspaceActions });
    await pages.tally.database.db.execute(
      sql`UPDATE core_users SET name = 'Ada Owner' WHERE id = ${owner.userId}`,
    );
    const workspace = await workspaceOf(pages.tally, owner);
    pages.signIn(admin);
    await pages.render(`/credits/workspaces/${workspace.id}`);
    const credits = await screen.findByRole('region', { name: 'Credits' });
    await waitFor(() =>
      expect(
        within(credits).getByText(
          "The workspace's reserve pays for its work first, then Ada Owner's credits.",
        ),
      ).toBeTruthy(),
    );
    expect(within(credits).getByRole('link', { name: 'Ada Owner' }).getAttribute('href')).toBe(
      `/credits/admin/users/${owner.userId}`,
    );
    expect(screen.queryByText(/then your credits/)).toBeNull();
  });

  it('says who waits for a first login: only a person a purchase registered', async () => {
    const other = await signedInPerson(pages.tally, { isAdmin: true, email: freshEmail('admin') });
    const product = await makeProduct(pages.tally, admin, { type: 'generic' });
    const registered = freshEmail('registered');
    const purchase = await buy(pages.tally, admin, registered, product.id);
    pages.signIn(admin);
    for (const [userId, state] of [
      [other.userId, 'not needed: they made their own account'],
      [purchase.user_id as string, 'waiting for first login'],
    ]) {
      await pages.render(`/credits/admin/users/${userId}`);
      const person = await screen.findByRole('region', { name: 'Person' });
      await waitFor(() => expect(fact(person, 'Set up')).toBe(state));
      cleanup();
    }
    // The people list says the same, row by row (a signed-in administrator never waits).
    await pages.render('/credits/admin/users');
    const table = await screen.findByRole('table', { name: 'People' });
    for (const [email, state] of [
      [other.email, 'not needed: they made their own account'],
      [registered, 'waiting for first login'],
    ] as const) {
      const row = within(table)
        .getAllByRole('row')
        .find((candidate) => candidate.textContent?.includes(email));
      expect(row?.textContent).toContain(state);
    }
  });

  it('disables the sole owner’s Leave with the reason beside it', async () => {
    const person = await signedInPerson(pages.tally, { email: freshEmail('owner') });
    const organization = await ok(pages.tally, 201, 'POST', '/api/orgs', {
      as: person,
      body: { kind: 'team', name: freshName('Club') },
    });
    pages.signIn(person);
    await pages.render(`/orgs/${organization.id}`);
    const leave = (await screen.findByRole('button', { name: 'Leave' })) as HTMLButtonElement;
    expect(leave.disabled).toBe(true);
    const reason = document.getElementById(leave.getAttribute('aria-describedby') ?? '');
    expect(reason?.textContent).toBe('You are the only owner: make someone else an owner first.');
  });
});
