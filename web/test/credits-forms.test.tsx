import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mailedToken, request, type TestPerson } from '../../test/support/app';
import {
  balanceOf,
  buy,
  creditsAdmin,
  mailedTemporaryPassword,
  ok,
  setPrice,
} from '../../test/support/credits';
import {
  adjust,
  customer,
  endSessions,
  fact,
  field,
  fieldError,
  freshEmail,
  freshName,
  installInputApis,
  namedProduct,
  oneRow,
  reseller,
  stopBeingAdmin,
  workspaceActions,
  workspaceOf,
} from './support/credits-stage';
import { formAlert, tallyPages } from './support/pages';
import { keptDraft, sentToLogIn } from './support/session-ended';

const pages = tallyPages();

/** What the page sent that changes something: a form that refuses to send leaves this empty. */
const changesSent = () => pages.sent.filter((request) => request.method !== 'GET');
const statusOf = (container: HTMLElement) => within(container).queryByRole('status')?.textContent ?? null;
const choose = async (user: UserEvent, input: HTMLElement, option: string | RegExp) => {
  await user.click(input);
  await user.click(await screen.findByRole('option', { name: option }));
};

let admin: TestPerson;
beforeAll(async () => {
  installInputApis();
  admin = await creditsAdmin(pages.tally);
  // The line's pages are a bundle of their own: loaded once here, not within the first test's wait.
  await import('../src/lines/credits/CreditsPages');
});
// Each test starts a fresh hour, so the per-address limits of one test do not reach the next.
afterEach(() => void pages.tally.clock.advance(2 * 3600 * 1000));

/** A person a purchase registered, with the temporary password the mail gave them. */
async function registered(credits = 50): Promise<{ email: string; temporary: string }> {
  const product = await namedProduct(pages.tally, admin, { type: 'generic', credits });
  const email = freshEmail();
  await buy(pages.tally, admin, email, product.id);
  return { email, temporary: await mailedTemporaryPassword(pages.tally, email) };
}

const NEW_PASSWORD = 'my own password 42';

describe('the form that mails new login details', () => {
  const open = async () => {
    pages.signIn(null);
    const { user } = await pages.render('/credits/products');
    const form = await screen.findByRole('form', { name: 'Mail me new login details' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Mail me new login details' }));
    return { user, form, submit, email: () => field(form, /^Email used for the purchase\W*$/) };
  };

  it('says what is missing or malformed, and sends nothing', async () => {
    const { user, submit, email } = await open();
    await submit();
    expect(fieldError(email())).toBe('Enter an email address');
    await user.type(email(), 'ada@example');
    expect(fieldError(email())).toBe('Enter an email address like ada@example.com');
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for an address the server refuses next to it', async () => {
    const { user, form, submit, email } = await open();
    await user.type(email(), 'ada\u0000@example.com');
    await submit();
    await waitFor(() => expect(fieldError(email())).toBe('Must not contain a NUL character.'));
    expect(email().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(statusOf(form)).toBeNull();
    expect(email().value).toBe('ada\u0000@example.com');
  });

  it('shows the 429 once too many were asked for from here, with the wait', async () => {
    for (let i = 0; i < 10; i++) {
      const asked = await request(pages.tally, 'POST', '/api/credits/onboarding/login-details', {
        body: { email: `nobody${i}@example.com` },
      });
      expect(asked.status).toBe(202);
    }
    const { user, form, submit, email } = await open();
    await user.type(email(), 'ada@example.com');
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toMatch(/^Too many attempts; try again later\. Try again in \d+ seconds\.$/),
    );
    expect(statusOf(form)).toBeNull();
    expect(email().value).toBe('ada@example.com');
  });

  it('mails a new temporary password, and the old one stops working', async () => {
    const { email, temporary } = await registered();
    const { user, form, submit, email: input } = await open();
    await user.type(input(), email);
    await submit();
    await waitFor(() =>
      expect(statusOf(form)).toBe(
        `If ${email} bought a product and has not finished setting up, new login details are on their way. The temporary password in any earlier mail no longer works.`,
      ),
    );
    const renewed = await mailedTemporaryPassword(pages.tally, email);
    expect(renewed).not.toBe(temporary);
    const old = await request(pages.tally, 'POST', '/api/credits/onboarding', {
      body: { email, temporary_password: temporary, new_password: NEW_PASSWORD, workspace_name: freshName() },
    });
    expect(old.status).toBe(422);
  });
});

describe('the first-login form', () => {
  const open = async (email: string) => {
    pages.signIn(null);
    const { user, router } = await pages.render(`/credits/welcome?email=${encodeURIComponent(email)}`);
    const form = await screen.findByRole('form', { name: 'Finish setting up your account' });
    const submit = () =>
      user.click(within(form).getByRole('button', { name: 'Set my password and open my dashboard' }));
    const input = (label: RegExp) => () => field(form, label);
    return {
      user,
      router,
      form,
      submit,
      email: input(/^Email\W*$/),
      temporary: input(/^Temporary password\W*$/),
      password: input(/^New password\W*$/),
      workspace: input(/^First workspace\W*$/),
    };
  };
  type Opened = Awaited<ReturnType<typeof open>>;
  const fill = async (opened: Opened, temporary: string, workspace = freshName()) => {
    await opened.user.type(opened.temporary(), temporary);
    await opened.user.type(opened.password(), NEW_PASSWORD);
    await opened.user.type(opened.workspace(), workspace);
    return workspace;
  };
  const onboardings = () => changesSent().filter((request) => request.path === '/api/credits/onboarding');

  it('fills in the address from the link, says what is missing or malformed, and sends nothing', async () => {
    const opened = await open('ada@example.com');
    expect(opened.email().value).toBe('ada@example.com');
    await opened.submit();
    expect(fieldError(opened.temporary())).toBe('Enter the temporary password from the mail');
    expect(fieldError(opened.password())).toBe('Use at least 10 characters');
    expect(fieldError(opened.workspace())).toBe('Enter a name for your first workspace');
    await opened.user.type(opened.password(), 'too short');
    expect(fieldError(opened.password())).toBe('Use at least 10 characters');
    await opened.user.clear(opened.email());
    await opened.user.type(opened.email(), 'ada@');
    expect(fieldError(opened.email())).toBe('Enter an email address like ada@example.com');
    await opened.submit();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for a workspace name the server refuses next to it, and the password still works', async () => {
    const { email, temporary } = await registered();
    const opened = await open(email);
    await fill(opened, temporary, 'Studio\u0000One');
    await opened.submit();
    await waitFor(() => expect(fieldError(opened.workspace())).toBe('Must not contain a NUL character.'));
    expect(opened.workspace().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(opened.form)).toBeNull();
    expect(fieldError(opened.temporary())).toBeNull();
    expect([opened.temporary().value, opened.password().value, opened.workspace().value]).toEqual([
      temporary,
      NEW_PASSWORD,
      'Studio\u0000One',
    ]);

    await opened.user.clear(opened.workspace());
    await opened.user.type(opened.workspace(), 'Studio One bis');
    await opened.submit();
    await waitFor(() => expect(opened.router.state.location.pathname).toBe('/credits'));
  });

  it('puts the 401 of a wrong temporary password next to it, keeping what was typed', async () => {
    const { email } = await registered();
    const opened = await open(email);
    const workspace = await fill(opened, 'not-the-password');
    await opened.submit();
    await waitFor(() =>
      expect(fieldError(opened.temporary())).toBe(
        'This email and temporary password do not match. Copy it again from the mail.',
      ),
    );
    expect(opened.temporary().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(opened.form)).toBeNull();
    expect([opened.email().value, opened.workspace().value]).toEqual([email, workspace]);
    expect(pages.cookie()).toBeNull();
  });

  it('puts the 409 of a temporary password used already next to it', async () => {
    const { email, temporary } = await registered();
    await ok(pages.tally, 201, 'POST', '/api/credits/onboarding', {
      body: { email, temporary_password: temporary, new_password: NEW_PASSWORD, workspace_name: freshName() },
    });
    const opened = await open(email);
    await fill(opened, temporary);
    await opened.submit();
    await waitFor(() =>
      expect(fieldError(opened.temporary())).toBe(
        'This temporary password was already used. Log in with the password you chose, or reset it.',
      ),
    );
    expect(formAlert(opened.form)).toBeNull();
    expect(screen.queryByRole('form', { name: 'Mail me new login details' })).toBeNull();
  });

  it('shows the 409 of a password set meanwhile (by a reset) above the button', async () => {
    const { email, temporary } = await registered();
    const opened = await open(email);
    await ok(pages.tally, 202, 'POST', '/api/auth/password-reset', { body: { email } });
    const token = await mailedToken(pages.tally, email, '/reset-password');
    const reset = await request(pages.tally, 'POST', '/api/auth/password-reset/confirm', {
      body: { token, new_password: 'a password from the reset' },
    });
    expect(reset.status).toBe(204);
    const workspace = await fill(opened, temporary);
    await opened.submit();
    await waitFor(() =>
      expect(formAlert(opened.form)).toBe(
        'This account already has a password: log in with it, or reset it.',
      ),
    );
    expect(fieldError(opened.temporary())).toBeNull();
    expect(opened.workspace().value).toBe(workspace);
    expect(pages.cookie()).toBeNull();
  });

  it('puts the 409 of a workspace name taken next to the workspace name', async () => {
    const { person } = await customer(pages.tally, admin, { permissions: workspaceActions });
    const taken = await workspaceOf(pages.tally, person);
    const { email, temporary } = await registered();
    const opened = await open(email);
    await fill(opened, temporary, taken.name);
    await opened.submit();
    await waitFor(() =>
      expect(fieldError(opened.workspace())).toBe(
        `A workspace named "${taken.name}" already exists; choose another name.`,
      ),
    );
    expect(formAlert(opened.form)).toBeNull();
    expect(opened.temporary().value).toBe(temporary);
  });

  it('puts the 422 of a replaced temporary password next to it, and offers new login details', async () => {
    const { email, temporary } = await registered();
    await ok(pages.tally, 202, 'POST', '/api/credits/onboarding/login-details', { body: { email } });
    const opened = await open(email);
    await fill(opened, temporary);
    await opened.submit();
    await waitFor(() =>
      expect(fieldError(opened.temporary())).toBe(
        'This temporary password has expired or was replaced by a newer one. Ask for new login details below.',
      ),
    );
    expect(formAlert(opened.form)).toBeNull();
    const details = screen.getByRole('form', { name: 'Mail me new login details' });
    expect(field(details, /^Email used for the purchase\W*$/).value).toBe(email);
    const before = await mailedTemporaryPassword(pages.tally, email);
    await opened.user.click(within(details).getByRole('button', { name: 'Mail me new login details' }));
    await waitFor(() => expect(statusOf(details)).toMatch(new RegExp(`^If ${email} bought a product`)));
    expect(await mailedTemporaryPassword(pages.tally, email)).not.toBe(before);
  });

  it('shows the 429 of the lockout after wrong guesses, with the wait', async () => {
    const { email, temporary } = await registered();
    for (let i = 0; i < 5; i++) {
      const refused = await request(pages.tally, 'POST', '/api/credits/onboarding', {
        body: { email, temporary_password: `guess-${i}`, new_password: NEW_PASSWORD, workspace_name: 'x' },
      });
      expect(refused.status).toBe(401);
    }
    const opened = await open(email);
    await fill(opened, temporary);
    await opened.submit();
    await waitFor(() =>
      expect(formAlert(opened.form)).toMatch(
        /^Too many failed attempts; wait before trying again\. Try again in \d+ seconds\.$/,
      ),
    );
    expect(fieldError(opened.temporary())).toBeNull();
    expect(opened.temporary().value).toBe(temporary);
    expect(pages.cookie()).toBeNull();
  });

  it('sets the password, makes the first workspace and opens the dashboard', async () => {
    const { email, temporary } = await registered(50);
    const opened = await open(email);
    const workspace = await fill(opened, temporary);
    await opened.submit();
    await waitFor(() => expect(opened.router.state.location.pathname).toBe('/credits'));
    expect(onboardings()).toHaveLength(1);
    expect(pages.cookie()).toMatch(/^tally_session=/);
    const me = await ok(pages.tally, 200, 'GET', '/api/credits/me', {
      headers: { cookie: pages.cookie()! },
    });
    expect(me.balance).toMatchObject({ total: '50', reserved: '10', available: '40' });
    const workspaces = await ok(pages.tally, 200, 'GET', '/api/credits/workspaces', {
      headers: { cookie: pages.cookie()! },
    });
    expect(workspaces.items.map((item: { name: string }) => item.name)).toEqual([workspace]);
    const login = await request(pages.tally, 'POST', '/api/auth/login', {
      body: { email, password: NEW_PASSWORD },
    });
    expect(login.status).toBe(200);
  });
});

describe('the form that creates a workspace', () => {
  const open = async (person: TestPerson) => {
    pages.signIn(person);
    const { user, router } = await pages.render('/credits/workspaces');
    const form = await screen.findByRole('form', { name: 'Create a workspace' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Create workspace' }));
    return { user, router, form, submit, name: () => field(form, /^Name\W*$/) };
  };

  it('asks for a name, and sends nothing', async () => {
    const { person } = await customer(pages.tally, admin, { permissions: workspaceActions });
    const { user, form, submit, name } = await open(person);
    // The price and the balance arrive after the form: wait for them.
    await waitFor(() =>
      expect(within(form).getByTestId('workspace-price').textContent).toBe(
        'Creating a workspace reserves 10 credits for the work done in it; you have 100 credits available.',
      ),
    );
    await submit();
    expect(fieldError(name())).toBe('Enter a name for the workspace');
    await user.type(name(), '  ');
    await submit();
    expect(fieldError(name())).toBe('Enter a name for the workspace');
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for a name the server refuses next to the name', async () => {
    const { person } = await customer(pages.tally, admin, { permissions: workspaceActions });
    const { user, form, submit, name } = await open(person);
    await user.type(name(), 'Studio\u0000One');
    await submit();
    await waitFor(() => expect(fieldError(name())).toBe('Must not contain a NUL character.'));
    expect(name().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(name().value).toBe('Studio\u0000One');
  });

  it('sends a person whose session ended meanwhile to log in again, keeping the name', async () => {
    const { person } = await customer(pages.tally, admin, { permissions: workspaceActions });
    const { user, submit, name } = await open(person);
    await endSessions(pages.tally, person);
    await user.type(name(), 'Studio One');
    await submit();
    await sentToLogIn('/credits/workspaces');
    expect(keptDraft('create-workspace')).toEqual({ name: 'Studio One' });
  });

  it('shows the 403 when the products stop allowing new workspaces meanwhile', async () => {
    const { person, productId } = await customer(pages.tally, admin, { permissions: workspaceActions });
    const { user, form, submit, name } = await open(person);
    await ok(pages.tally, 200, 'PATCH', `/api/credits/products/${productId}`, {
      as: admin,
      body: { permissions: ['invite_member'] },
    });
    const typed = freshName();
    await user.type(name(), typed);
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe(
        'Your products do not include the "create_workspace" action. See the products that give credits.',
      ),
    );
    expect(name().value).toBe(typed);
  });

  it('puts the 409 of a name taken next to the name', async () => {
    const { person } = await customer(pages.tally, admin, { permissions: workspaceActions });
    const taken = await workspaceOf(pages.tally, person);
    const { user, form, submit, name } = await open(person);
    await user.type(name(), taken.name.toUpperCase());
    await submit();
    await waitFor(() =>
      expect(fieldError(name())).toBe(
        `A workspace named "${taken.name.toUpperCase()}" already exists; choose another name.`,
      ),
    );
    expect(formAlert(form)).toBeNull();
    expect(name().value).toBe(taken.name.toUpperCase());
  });

  it('words the 422 of too few credits for its price above the button', async () => {
    const { person } = await customer(pages.tally, admin, { credits: 5, permissions: workspaceActions });
    const { user, form, submit, name } = await open(person);
    const typed = freshName();
    await user.type(name(), typed);
    await submit();
    // Above the button, below the warning the form showed from the start.
    await waitFor(() =>
      expect(
        within(form)
          .getAllByRole('alert')
          .map((alert) => alert.textContent),
      ).toEqual([
        'You have fewer credits available than a workspace needs. Credits come back at your next refill, or when you release reservations or archive a workspace.',
        'Not enough credits: this needs 10 credits and 5 credits are available. See the products that give credits.',
      ]),
    );
    expect(name().value).toBe(typed);
    expect((await balanceOf(pages.tally, person)).available).toBe('5');
  });

  it('creates the workspace, reserves its price and opens it', async () => {
    const { person } = await customer(pages.tally, admin, { credits: 100, permissions: workspaceActions });
    const { user, router, submit, name } = await open(person);
    const typed = freshName();
    await user.type(name(), typed);
    await submit();
    await screen.findByText(`${typed} created; 10 credits reserved for its work.`);
    await waitFor(() =>
      expect(router.state.location.pathname).toMatch(/^\/credits\/workspaces\/[0-9a-f-]{36}$/),
    );
    await screen.findByRole('heading', { name: typed });
    await waitFor(() => expect(fact(screen.getByRole('main'), 'Reserved for its work')).toBe('10 credits'));
    expect(await balanceOf(pages.tally, person)).toMatchObject({ reserved: '10', available: '90' });
  });
});

describe('the form that invites someone to a workspace', () => {
  const open = async (person: TestPerson, workspace: { id: string }) => {
    pages.signIn(person);
    const { user } = await pages.render(`/credits/workspaces/${workspace.id}`);
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Send invitation' }));
    return { user, form, submit, email: () => field(form, /^Email\W*$/) };
  };
  const owner = async (credits = 100) => {
    const { person, productId } = await customer(pages.tally, admin, {
      credits,
      permissions: workspaceActions,
    });
    return { person, productId, workspace: await workspaceOf(pages.tally, person) };
  };

  it('says what is missing or malformed, and sends nothing', async () => {
    const { person, workspace } = await owner();
    const { user, form, submit, email } = await open(person, workspace);
    await waitFor(() =>
      expect(within(form).getByTestId('invite-price').textContent).toBe(
        "Each invitation costs 1 credit, paid from the workspace's reserve first.",
      ),
    );
    await submit();
    expect(fieldError(email())).toBe('Enter an email address');
    await user.type(email(), 'grace at example.com');
    expect(fieldError(email())).toBe('Enter an email address like ada@example.com');
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for an address the server refuses next to it', async () => {
    const { person, workspace } = await owner();
    const { user, form, submit, email } = await open(person, workspace);
    await user.type(email(), 'grace\u0000@example.com');
    await submit();
    await waitFor(() => expect(fieldError(email())).toBe('Must not contain a NUL character.'));
    expect(email().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(email().value).toBe('grace\u0000@example.com');
  });

  it('sends a person whose session ended meanwhile to log in again, keeping the address', async () => {
    const { person, workspace } = await owner();
    const { user, submit, email } = await open(person, workspace);
    await endSessions(pages.tally, person);
    await user.type(email(), 'grace@example.com');
    await submit();
    await sentToLogIn(`/credits/workspaces/${workspace.id}`);
    expect(keptDraft('invite')).toEqual({ email: 'grace@example.com', role: 'member' });
  });

  it('shows the 403 when the products stop allowing invitations meanwhile, and charges nothing', async () => {
    const { person, productId, workspace } = await owner();
    const { user, form, submit, email } = await open(person, workspace);
    await ok(pages.tally, 200, 'PATCH', `/api/credits/products/${productId}`, {
      as: admin,
      body: { permissions: ['create_workspace'] },
    });
    await user.type(email(), 'grace@example.com');
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe(
        'Your products do not include the "invite_member" action. See the products that give credits.',
      ),
    );
    expect(email().value).toBe('grace@example.com');
    expect((await balanceOf(pages.tally, person, workspace.id)).used).toBe('0');
  });

  it('shows the 404 the server gives an administrator who lost the rights meanwhile', async () => {
    const { workspace } = await owner();
    const visitor = await creditsAdmin(pages.tally);
    const { user, form, submit, email } = await open(visitor, workspace);
    await stopBeingAdmin(pages.tally, visitor);
    await user.type(email(), 'grace@example.com');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('Workspace not found.'));
    expect(email().value).toBe('grace@example.com');
  });

  it('shows the 409 of someone who is a member already', async () => {
    const { person, workspace } = await owner();
    const { user, form, submit, email } = await open(person, workspace);
    await user.type(email(), person.email.toUpperCase());
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe(`${person.email} is already a member of ${workspace.name}.`),
    );
    expect(email().value).toBe(person.email.toUpperCase());
  });

  it('shows the 409 of a workspace archived meanwhile', async () => {
    const { person, workspace } = await owner();
    const { user, form, submit, email } = await open(person, workspace);
    await ok(pages.tally, 200, 'POST', `/api/credits/workspaces/${workspace.id}/archive`, { as: person });
    await user.type(email(), 'grace@example.com');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe(`${workspace.name} is archived.`));
    expect(email().value).toBe('grace@example.com');
  });

  it('words the 422 of a reserve and credits used up', async () => {
    // 10 credits, all reserved for the workspace, then spent there on ten invitations.
    const { person, workspace } = await owner(10);
    for (let i = 0; i < 10; i++) {
      await ok(pages.tally, 201, 'POST', `/api/credits/workspaces/${workspace.id}/invitations`, {
        as: person,
        body: { email: `guest${i}-${workspace.id.slice(-6)}@example.com` },
      });
    }
    const { user, form, submit, email } = await open(person, workspace);
    await user.type(email(), 'grace@example.com');
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe(
        'Not enough credits: this needs 1 credit and 0 credits are available. See the products that give credits.',
      ),
    );
    expect(email().value).toBe('grace@example.com');
  });

  it('mails the invitation, charges its price and lists it', async () => {
    const { person, workspace } = await owner();
    const { user, submit, email } = await open(person, workspace);
    const guest = freshEmail('guest');
    await user.type(email(), guest);
    await submit();
    await screen.findByText(`Invitation mailed to ${guest}; 1 credit used.`);
    const table = await screen.findByRole('table', { name: 'Open invitations' });
    await waitFor(() => expect(within(table).getByText(guest)).toBeTruthy());
    expect(email().value).toBe('');
    const mail = await oneRow<{ text: string }>(
      pages.tally,
      sql`SELECT text FROM core_mail_messages WHERE to_address = ${guest}`,
    );
    expect(mail.text).toMatch(/http:\/\/tally\.test\/invitations\/[\w-]{20,}/);
    const reserve = await ok(pages.tally, 200, 'GET', `/api/credits/workspaces/${workspace.id}`, {
      as: person,
    });
    expect(reserve.reserved).toBe('9');
  });
});

describe('the usage filters', () => {
  const actions = ['generate_image', 'generate_post'];
  let person: TestPerson;
  let workspace: { id: string; name: string };

  beforeAll(async () => {
    await setPrice(pages.tally, admin, 'generate_image', 3);
    await setPrice(pages.tally, admin, 'generate_post', 2);
    ({ person } = await customer(pages.tally, admin, {
      credits: 100,
      permissions: [...workspaceActions, ...actions],
    }));
    workspace = await workspaceOf(pages.tally, person);
    const charge = (key: string, body: Record<string, string>) =>
      ok(pages.tally, 200, 'POST', '/api/credits/charge', {
        as: person,
        headers: { 'idempotency-key': key },
        body,
      });
    await charge('c1', { action: 'generate_image', used_for: 'image:cat' });
    await charge('c2', { action: 'generate_post', used_for: 'Post:7f3c' });
    await charge('c3', { action: 'generate_post', used_for: 'repost:9', workspace_id: workspace.id });
  });

  const open = async (path = '/credits/usage') => {
    pages.signIn(person);
    const { user, router } = await pages.render(path);
    await screen.findByRole('form', { name: 'Filter the usage history' });
    // Applied filters are the page's address, and the form starts again from them: found anew each time.
    const form = () => screen.getByRole('form', { name: 'Filter the usage history' });
    const apply = () => user.click(within(form()).getByRole('button', { name: 'Apply filters' }));
    const input = (label: RegExp) => () => field(form(), label);
    return {
      user,
      router,
      form,
      apply,
      action: input(/^Action$/),
      usedFor: input(/^Used for$/),
      workspace: input(/^Workspace$/),
      from: input(/^From$/),
      to: input(/^To$/),
    };
  };
  /** The purposes of the usages listed (made in the same instant: their order is not the point). */
  const purposesShown = async () => {
    const table = await screen.findByRole('table', { name: 'Usages' });
    return within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.querySelectorAll('td')[2]?.textContent)
      .sort();
  };
  /** The failure shown in place of the list: the alert that carries the server's message. */
  const failureShown = async (message: string) =>
    (await screen.findByText(message)).closest('[role="alert"]') as HTMLElement;
  const usageQueries = () => pages.sent.filter((sent) => sent.path.startsWith('/api/credits/usages?'));

  it('refuses a first day after the last, and asks for nothing', async () => {
    const { user, form, apply, from, to } = await open();
    const asked = usageQueries().length;
    await user.type(from(), '2026-06-10');
    await user.type(to(), '2026-06-01');
    expect(fieldError(to())).toBe('The first day must not be after the last');
    const button = within(form()).getByRole('button', { name: 'Apply filters' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await apply();
    expect(usageQueries()).toHaveLength(asked);
    await user.clear(to());
    await user.type(to(), '2026-06-10');
    expect(fieldError(to())).toBeNull();
    expect(button.disabled).toBe(false);
  });

  it('shows the 400 for a purpose the server refuses in place of the list', async () => {
    const { user, apply, usedFor } = await open();
    await user.type(usedFor(), 'post\u0000');
    await apply();
    const alert = await failureShown('used_for: must not contain a NUL character.');
    expect(within(alert).getByText('This could not be loaded')).toBeTruthy();
    expect(within(alert).getByText('HTTP 400 · validation_failed')).toBeTruthy();
    expect(usedFor().value).toBe('post\u0000');
  });

  it('sends a person whose session ended meanwhile to log in again, and back to the filtered history', async () => {
    const { person: other } = await customer(pages.tally, admin, { permissions: actions });
    pages.signIn(other);
    const { user } = await pages.render('/credits/usage');
    const form = await screen.findByRole('form', { name: 'Filter the usage history' });
    await endSessions(pages.tally, other);
    await user.type(field(form, /^Used for$/), 'post');
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));
    await sentToLogIn('/credits/usage?used_for=post');
    expect(keptDraft('usage-filters')).toMatchObject({ used_for: 'post' });
  });

  it('filters by purpose, action and workspace, keeps them in the address, and clears them', async () => {
    const { user, router, form, apply, action, usedFor, workspace: workspaceInput } = await open();
    expect(await purposesShown()).toEqual(['Post:7f3c', 'image:cat', 'repost:9']);

    await user.type(usedFor(), 'POST');
    await apply();
    await waitFor(() => expect(router.state.location.search).toBe('?used_for=POST'));
    await waitFor(async () => expect(await purposesShown()).toEqual(['Post:7f3c', 'repost:9']));

    await choose(user, workspaceInput(), workspace.name);
    await apply();
    await waitFor(() =>
      expect(router.state.location.search).toBe(`?used_for=POST&workspace=${workspace.id}`),
    );
    await waitFor(async () => expect(await purposesShown()).toEqual(['repost:9']));

    await user.click(within(form()).getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    await choose(user, action(), 'generate image');
    await apply();
    await waitFor(() => expect(router.state.location.search).toBe('?action=generate_image'));
    await waitFor(async () => expect(await purposesShown()).toEqual(['image:cat']));
    expect(usedFor().value).toBe('');
  });
});

describe('the form that creates a reseller’s product', () => {
  const open = async (person: TestPerson) => {
    pages.signIn(person);
    const { user } = await pages.render('/credits/reseller/products');
    const form = await screen.findByRole('form', { name: 'Create a product' });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Create product' }));
    const input = (label: RegExp) => () => field(form, label);
    return {
      user,
      form,
      submit,
      name: input(/^Name\W*$/),
      credits: input(/^Credits per cycle\W*$/),
      permissions: input(/^Actions it allows/),
      price: input(/^Display price/),
    };
  };
  type Opened = Awaited<ReturnType<typeof open>>;
  const fill = async (opened: Opened, credits: string) => {
    const name = freshName('Reseller plan');
    await opened.user.type(opened.name(), name);
    await opened.user.type(opened.credits(), credits);
    await opened.user.type(opened.price(), '19.99');
    return name;
  };
  const withWorkspaces = ['create_under_whitelabel_product', 'create_workspace'];

  it('caps the credits at what the reseller can hand out, and sends nothing', async () => {
    const { person } = await reseller(pages.tally, admin, { credits: 100 });
    const { user, form, submit, name, credits } = await open(person);
    expect(
      within(form).getByText(
        'You have 100 credits available; making a product costs 5 credits, so at most 95 credits.',
      ),
    ).toBeTruthy();
    await submit();
    expect(fieldError(name())).toBe('Enter a name for the product');
    await user.type(credits(), '96');
    // The cap is the reseller's balance, which the page loads beside the form.
    await waitFor(() => expect(fieldError(credits())).toBe('At most 95 credits: what you have available'));
    await user.clear(credits());
    await user.type(credits(), '95');
    expect(fieldError(credits())).toBeNull();
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for a name the server refuses next to the name', async () => {
    const { person } = await reseller(pages.tally, admin, { credits: 100 });
    const opened = await open(person);
    await opened.user.type(opened.name(), 'Plan\u0000B');
    await opened.user.type(opened.credits(), '10');
    await opened.user.type(opened.price(), '19.99');
    await opened.submit();
    await waitFor(() => expect(fieldError(opened.name())).toBe('Must not contain a NUL character.'));
    expect(opened.name().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(opened.form)).toBeNull();
    expect([opened.name().value, opened.credits().value]).toEqual(['Plan\u0000B', '10']);
  });

  it('sends a reseller whose session ended meanwhile to log in again', async () => {
    const { person } = await reseller(pages.tally, admin, { credits: 100 });
    const opened = await open(person);
    await endSessions(pages.tally, person);
    await fill(opened, '10');
    await opened.submit();
    await sentToLogIn('/credits/reseller/products');
  });

  it('shows the 403 when the reseller’s products stop allowing new products meanwhile', async () => {
    const { person, productId } = await reseller(pages.tally, admin, { credits: 100 });
    const opened = await open(person);
    await ok(pages.tally, 200, 'PATCH', `/api/credits/products/${productId}`, {
      as: admin,
      body: { permissions: [] },
    });
    const name = await fill(opened, '10');
    await opened.submit();
    await waitFor(() =>
      expect(formAlert(opened.form)).toBe(
        'Your products do not include the "create_under_whitelabel_product" action.',
      ),
    );
    expect(opened.name().value).toBe(name);
  });

  it('puts the 403 for an action the reseller no longer holds next to the actions', async () => {
    const { person, productId } = await reseller(pages.tally, admin, {
      credits: 100,
      permissions: withWorkspaces,
    });
    const opened = await open(person);
    const name = await fill(opened, '10');
    await choose(opened.user, opened.permissions(), 'Create a workspace (create_workspace)');
    await ok(pages.tally, 200, 'PATCH', `/api/credits/products/${productId}`, {
      as: admin,
      body: { permissions: ['create_under_whitelabel_product'] },
    });
    await opened.submit();
    await waitFor(() =>
      expect(fieldError(opened.permissions())).toBe(
        'You can only put in a product the actions your own products give you; missing: create_workspace.',
      ),
    );
    expect(formAlert(opened.form)).toBeNull();
    expect(opened.name().value).toBe(name);
  });

  it('puts the 422 of credits spent meanwhile next to the credits', async () => {
    const { person } = await reseller(pages.tally, admin, { credits: 100 });
    const opened = await open(person);
    await adjust(pages.tally, admin, person, -60);
    await fill(opened, '50');
    await opened.submit();
    await waitFor(() =>
      expect(fieldError(opened.credits())).toBe(
        'A product cannot grant more credits per cycle than you have available (40, after the 5 credits making it costs).',
      ),
    );
    expect(formAlert(opened.form)).toBeNull();
    expect(opened.credits().value).toBe('50');
  });

  it('makes the product, pays its price, and lists it', async () => {
    const { person } = await reseller(pages.tally, admin, { credits: 100, permissions: withWorkspaces });
    const opened = await open(person);
    const name = await fill(opened, '30');
    await choose(opened.user, opened.permissions(), 'Create a workspace (create_workspace)');
    await opened.submit();
    await screen.findByText(`${name} created; 5 credits used to make it.`);
    const table = await screen.findByRole('table', { name: 'Products' });
    const row = await waitFor(() => within(table).getByText(name).closest('tr') as HTMLElement);
    expect([...row.querySelectorAll('td')].map((cell) => cell.textContent)).toEqual([
      name,
      'Under whitelabel',
      '30 credits',
      'Every month',
      '19.99 USD',
      'create_workspace',
      'on sale',
    ]);
    await waitFor(() =>
      expect(
        within(opened.form).getByText(
          'You have 95 credits available; making a product costs 5 credits, so at most 90 credits.',
        ),
      ).toBeTruthy(),
    );
    const stored = await oneRow<{ type: string; owner_user_id: string; display_price_minor: string }>(
      pages.tally,
      sql`SELECT type, owner_user_id, display_price_minor::text FROM credits_products WHERE name = ${name}`,
    );
    expect(stored).toEqual({
      type: 'under_whitelabel',
      owner_user_id: person.userId,
      display_price_minor: '1999',
    });
    expect((await balanceOf(pages.tally, person)).available).toBe('95');
  });
});

describe('the form that changes a reseller’s product', () => {
  const open = async (person: TestPerson, product: { id: string; name: string }) => {
    pages.signIn(person);
    const { user } = await pages.render(`/credits/reseller/products/${product.id}`);
    const form = await screen.findByRole('form', { name: `Change ${product.name}` });
    const submit = () => user.click(within(form).getByRole('button', { name: 'Save changes' }));
    const input = (label: RegExp) => () => field(form, label);
    return {
      user,
      form,
      submit,
      name: input(/^Name\W*$/),
      credits: input(/^Credits per cycle\W*$/),
      permissions: input(/^Actions it allows/),
    };
  };
  const withWorkspaces = ['create_under_whitelabel_product', 'create_workspace'];
  /** A reseller of 100 credits with a product of 10 credits per cycle: 95 left after its price of 5. */
  const stage = async () => {
    const { person, productId } = await reseller(pages.tally, admin, {
      credits: 100,
      permissions: withWorkspaces,
    });
    const product = await namedProduct(pages.tally, person, {
      credits: 10,
      permissions: ['create_workspace'],
    });
    return { person, resellerProductId: productId, product };
  };

  it('caps a raise at what the reseller has, not what the product keeps, and sends nothing', async () => {
    const { person, product } = await stage();
    const { user, submit, credits } = await open(person, product);
    await user.clear(credits());
    await user.type(credits(), '96');
    // The cap is the reseller's balance, which the page loads beside the form.
    await waitFor(() => expect(fieldError(credits())).toBe('At most 95 credits: what you have available'));
    await submit();
    await user.clear(credits());
    await user.type(credits(), '5');
    expect(fieldError(credits())).toBeNull();
    await user.clear(credits());
    expect(fieldError(credits())).toBe('Enter a whole number of credits, such as 100');
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('sends a reseller whose session ended meanwhile to log in again', async () => {
    const { person, product } = await stage();
    const { user, submit, name } = await open(person, product);
    await endSessions(pages.tally, person);
    await user.type(name(), ' plus');
    await submit();
    await sentToLogIn(`/credits/reseller/products/${product.id}`);
  });

  it('puts the 403 for an action the reseller no longer holds next to the actions', async () => {
    const { person, resellerProductId, product } = await stage();
    const { user, form, submit, name, permissions } = await open(person, product);
    await ok(pages.tally, 200, 'PATCH', `/api/credits/products/${resellerProductId}`, {
      as: admin,
      body: { permissions: ['create_under_whitelabel_product'] },
    });
    await user.type(name(), ' plus');
    await submit();
    await waitFor(() =>
      expect(fieldError(permissions())).toBe(
        'You can only put in a product the actions your own products give you; missing: create_workspace.',
      ),
    );
    expect(formAlert(form)).toBeNull();
    expect(name().value).toBe(`${product.name} plus`);
  });

  it('puts the 422 of a raise beyond what is left after spending meanwhile next to the credits', async () => {
    const { person, product } = await stage();
    const { user, form, submit, credits } = await open(person, product);
    await adjust(pages.tally, admin, person, -60);
    await user.clear(credits());
    await user.type(credits(), '50');
    await submit();
    await waitFor(() =>
      expect(fieldError(credits())).toBe(
        'A product cannot grant more credits per cycle than you have available (35).',
      ),
    );
    expect(formAlert(form)).toBeNull();
    expect(credits().value).toBe('50');
  });

  it('saves a raise within reach', async () => {
    const { person, product } = await stage();
    const { user, submit, credits } = await open(person, product);
    await user.clear(credits());
    await user.type(credits(), '20');
    await submit();
    await screen.findByText(`${product.name} saved.`);
    await waitFor(() => expect(fact(screen.getByRole('main'), 'Credits per cycle')).toBe('20 credits'));
    const stored = await ok(pages.tally, 200, 'GET', `/api/credits/products/${product.id}`, { as: person });
    expect(stored.credits_per_cycle).toBe('20');
  });
});

describe('the reseller’s domain form', () => {
  const open = async (person: TestPerson) => {
    pages.signIn(person);
    const { user } = await pages.render('/credits/reseller/domain');
    const form = await screen.findByRole('form', { name: 'Your domain' });
    const submit = () => user.click(within(form).getByRole('button', { name: /^(Save|Change) domain$/ }));
    return { user, form, submit, domain: () => field(form, /^Domain\W*$/) };
  };
  let domains = 0;
  const freshDomain = () => `shop${++domains}-${Date.now().toString(36)}.example.com`;

  it('says what is missing or malformed, and sends nothing', async () => {
    const { person } = await reseller(pages.tally, admin);
    const { user, submit, domain } = await open(person);
    await submit();
    expect(fieldError(domain())).toBe('Enter your domain, such as app.example.com');
    await user.type(domain(), 'https://shop.example.com');
    expect(fieldError(domain())).toBe('Enter a domain name such as app.example.com, without https://');
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('puts the 400 for a name that is not public next to the domain', async () => {
    const { person } = await reseller(pages.tally, admin);
    const { user, form, submit, domain } = await open(person);
    await user.type(domain(), 'shop.example.test');
    await submit();
    await waitFor(() =>
      expect(fieldError(domain())).toBe('"shop.example.test" is not a public domain name.'),
    );
    expect(domain().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(form)).toBeNull();
    expect(domain().value).toBe('shop.example.test');
  });

  it('sends a reseller whose session ended meanwhile to log in again', async () => {
    const { person } = await reseller(pages.tally, admin);
    const { user, submit, domain } = await open(person);
    await endSessions(pages.tally, person);
    await user.type(domain(), freshDomain());
    await submit();
    await sentToLogIn('/credits/reseller/domain');
  });

  it('shows the 403 for someone no longer a reseller', async () => {
    const { person } = await reseller(pages.tally, admin);
    const { user, form, submit, domain } = await open(person);
    await pages.tally.database.db.execute(
      sql`UPDATE credits_customers SET type = 'generic' WHERE user_id = ${person.userId}`,
    );
    const typed = freshDomain();
    await user.type(domain(), typed);
    await submit();
    await waitFor(() =>
      expect(formAlert(form)).toBe(
        'Only whitelabel resellers set up a domain; buy a whitelabel product first.',
      ),
    );
    expect(domain().value).toBe(typed);
  });

  it('puts the 409 of a domain another reseller holds next to the domain', async () => {
    const { person: holder } = await reseller(pages.tally, admin);
    const taken = freshDomain();
    await ok(pages.tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: holder,
      body: { domain: taken },
    });
    // The holder proved it: DNS is not reachable from the tests, so the check's outcome is written down.
    await pages.tally.database.db.execute(
      sql`UPDATE credits_whitelabels SET dns_verified_at = now() WHERE user_id = ${holder.userId}`,
    );
    const { person } = await reseller(pages.tally, admin);
    const { user, form, submit, domain } = await open(person);
    await user.type(domain(), taken);
    await submit();
    await waitFor(() => expect(fieldError(domain())).toBe(`${taken} is already set up by another reseller.`));
    expect(formAlert(form)).toBeNull();
    expect(domain().value).toBe(taken);
  });

  it('saves the domain as DNS writes it, and shows the two records to add', async () => {
    const { person } = await reseller(pages.tally, admin);
    const { user, submit, domain } = await open(person);
    const typed = freshDomain();
    await user.type(domain(), `${typed.toUpperCase()}.`);
    await submit();
    const cname = await screen.findByLabelText('The CNAME record');
    expect(cname.textContent).toBe(`${typed}.  CNAME  tally.test.`);
    const stored = await ok(pages.tally, 200, 'GET', '/api/credits/whitelabel', { as: person });
    expect(screen.getByLabelText('The TXT record').textContent).toBe(
      `_tally-challenge.${typed}.  TXT  "${stored.challenge.value}"`,
    );
    expect(stored).toMatchObject({ domain: typed, dns_verified_at: null });
    // The form is the saved domain's now.
    const saved = screen.getByRole('form', { name: 'Your domain' });
    expect(field(saved, /^Domain\W*$/).value).toBe(typed);
    expect(within(saved).getByRole('button', { name: 'Change domain' })).toBeTruthy();
  });
});
