import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessTestTally, TEST_PUBLIC_URL, testClub } from '../../../test/support/access';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
} from '../../../test/support/app';
import { hashSecret } from '../auth/tokens';
import { queryRows } from '../database';

let tally: TestTally;
let owner: TestPerson;
let orgId: string;

const DAY_MS = 24 * 3600 * 1000;

beforeAll(async () => {
  ({ tally } = await accessTestTally());
  owner = await signedInPerson(tally, { email: 'olive@club.test', name: 'Olive Owner' });
  const created = await request(tally, 'POST', '/api/orgs', {
    as: owner,
    body: { kind: testClub.kind, name: 'Green Valley' },
  });
  expect(created.status).toBe(201);
  orgId = (await read(created)).id;
});

interface QueuedMail {
  to_address: string;
  subject: string;
  text: string;
  template: string;
  state: string;
}

const mailsTo = (address: string) =>
  queryRows<QueuedMail>(
    tally.database.db,
    sql`SELECT to_address, subject, text, template, state FROM core_mail_messages
        WHERE to_address = ${address} ORDER BY created_at, id`,
  );

/** The token in the newest invitation mail to `address`, as the invitee would click it. */
async function linkTokenFor(address: string): Promise<string> {
  const mails = await mailsTo(address);
  const link = new RegExp(`${TEST_PUBLIC_URL}/invitations/([A-Za-z0-9_-]{43})`).exec(
    mails.at(-1)?.text ?? '',
  );
  expect(link).not.toBeNull();
  return link![1]!;
}

const invite = (email: string, role = 'member', as = owner) =>
  request(tally, 'POST', `/api/orgs/${orgId}/invitations`, { as, body: { email, role } });

const accept = (token: string, as?: TestPerson) =>
  request(tally, 'POST', `/api/invitations/${token}/accept`, { as });

const preview = async (token: string) => read(await request(tally, 'GET', `/api/invitations/${token}`));

const membersOf = async () =>
  (await read(await request(tally, 'GET', `/api/orgs/${orgId}/members`, { as: owner }))).items as Body[];

const openInvitations = async () =>
  (await read(await request(tally, 'GET', `/api/orgs/${orgId}/invitations`, { as: owner }))).items as Body[];

describe('the invitation flow', () => {
  let token: string;
  let invitationId: string;
  let invitee: TestPerson;

  it('invites an address with a role and queues the mail with a single-use link', async () => {
    const response = await invite('Ivy@Example.TEST', 'treasurer');
    expect(response.status).toBe(201);
    const invitation = await read(response);
    invitationId = invitation.id;
    expect(invitation).toMatchObject({
      organization_id: orgId,
      email: 'ivy@example.test',
      role: 'treasurer',
      state: 'open',
      invited_by: { user_id: owner.userId, name: 'Olive Owner' },
      created_at: '2026-06-01T09:00:00.000Z',
      expires_at: '2026-06-08T09:00:00.000Z',
      accepted_at: null,
      revoked_at: null,
    });

    const [mail] = await mailsTo('ivy@example.test');
    expect(mail).toMatchObject({
      template: 'invitation',
      state: 'queued',
      subject: 'Olive Owner invited you to join Green Valley on Tally',
    });
    expect(mail?.text).toContain('as Treasurer');
    token = await linkTokenFor('ivy@example.test');

    const [stored] = await queryRows<Record<string, unknown>>(
      tally.database.db,
      sql`SELECT * FROM core_invitations WHERE id = ${invitationId}`,
    );
    expect(stored?.token_hash).toBe(hashSecret(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect((await openInvitations()).map((i) => i.id)).toEqual([invitationId]);
  });

  it('shows what the link is for to anyone holding it', async () => {
    expect(await preview(token)).toEqual({
      organization: { id: orgId, name: 'Green Valley', kind: testClub.kind, kind_label: 'Buyers club' },
      inviter_name: 'Olive Owner',
      email: 'ivy@example.test',
      role: 'treasurer',
      role_label: 'Treasurer',
      state: 'open',
      expires_at: '2026-06-08T09:00:00.000Z',
    });
    const unknown = await request(tally, 'GET', `/api/invitations/${'x'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect((await read(unknown)).error.code).toBe('not_found');
  });

  it('refuses an anonymous caller and another person’s account, saying which address to use', async () => {
    expect((await accept(token)).status).toBe(401);
    const stranger = await signedInPerson(tally, { email: 'sam@example.test' });
    const refused = await accept(token, stranger);
    expect(refused.status).toBe(403);
    const { error } = await read(refused);
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('sent to ivy@example.test');
    expect(error.message).toContain('signed in as sam@example.test');
    expect((await membersOf()).map((m) => m.email)).toEqual(['olive@club.test']);
    expect((await preview(token)).state).toBe('open');
  });

  it('refuses an account whose address is not confirmed yet', async () => {
    await invite('una@example.test');
    const unconfirmed = await signedInPerson(tally, { email: 'una@example.test' });
    await tally.database.db.execute(
      sql`UPDATE core_users SET email_verified_at = NULL WHERE id = ${unconfirmed.userId}`,
    );
    const response = await accept(await linkTokenFor('una@example.test'), unconfirmed);
    expect(response.status).toBe(403);
    expect((await read(response)).error.details.reason).toBe('email_not_verified');
    const open = await read(await request(tally, 'GET', `/api/orgs/${orgId}/invitations`, { as: owner }));
    const una = open.items.find((i: { email: string }) => i.email === 'una@example.test');
    expect(
      (await request(tally, 'DELETE', `/api/orgs/${orgId}/invitations/${una.id}`, { as: owner })).status,
    ).toBe(200);
  });

  it('lets the invited address accept once, with the invited role', async () => {
    invitee = await signedInPerson(tally, { email: 'IVY@example.test', name: 'Ivy' });
    const accepted = await accept(token, invitee);
    expect(accepted.status).toBe(200);
    expect(await read(accepted)).toMatchObject({ id: orgId, name: 'Green Valley', my_role: 'treasurer' });
    expect((await membersOf()).map((m) => [m.email, m.role])).toEqual([
      ['olive@club.test', 'owner'],
      ['ivy@example.test', 'treasurer'],
    ]);

    const again = await accept(token, invitee);
    expect(again.status).toBe(409);
    expect((await read(again)).error).toMatchObject({
      code: 'invitation_accepted',
      details: { state: 'accepted' },
    });
    expect((await preview(token)).state).toBe('accepted');
    expect(await openInvitations()).toEqual([]);
  });

  it('refuses to invite someone who is already a member', async () => {
    const response = await invite('ivy@example.test');
    expect(response.status).toBe(409);
    expect((await read(response)).error.code).toBe('conflict');
    expect(await mailsTo('ivy@example.test')).toHaveLength(1);
  });

  it('withdraws the old link when the same address is invited again', async () => {
    const first = await read(await invite('rex@example.test'));
    const firstToken = await linkTokenFor('rex@example.test');
    const second = await read(await invite('rex@example.test', 'order_manager'));
    const secondToken = await linkTokenFor('rex@example.test');
    expect(secondToken).not.toBe(firstToken);
    expect(await mailsTo('rex@example.test')).toHaveLength(2);
    expect((await preview(firstToken)).state).toBe('revoked');
    expect((await openInvitations()).map((i) => i.id)).toEqual([second.id]);

    const [entry] = await queryRows<{ details: Record<string, unknown> }>(
      tally.database.db,
      sql`SELECT details FROM core_audit_log WHERE action = 'invitation.create' AND object_id = ${second.id}`,
    );
    expect(entry?.details).toEqual({
      email: 'rex@example.test',
      role: 'order_manager',
      replacedInvitationIds: [first.id],
    });

    const rex = await signedInPerson(tally, { email: 'rex@example.test' });
    const old = await accept(firstToken, rex);
    expect(old.status).toBe(409);
    expect((await read(old)).error).toMatchObject({
      code: 'invitation_revoked',
      details: { state: 'revoked' },
    });
    expect(await read(await accept(secondToken, rex))).toMatchObject({ my_role: 'order_manager' });
  });

  it('refuses a revoked invitation, and revoking it twice', async () => {
    const invitation = await read(await invite('gil@example.test'));
    const revokeToken = await linkTokenFor('gil@example.test');
    const revoked = await request(tally, 'DELETE', `/api/orgs/${orgId}/invitations/${invitation.id}`, {
      as: owner,
    });
    expect(revoked.status).toBe(200);
    expect(await read(revoked)).toMatchObject({
      id: invitation.id,
      state: 'revoked',
      revoked_at: expect.any(String),
    });
    const again = await request(tally, 'DELETE', `/api/orgs/${orgId}/invitations/${invitation.id}`, {
      as: owner,
    });
    expect(again.status).toBe(409);
    expect((await read(again)).error.code).toBe('invitation_revoked');

    const gil = await signedInPerson(tally, { email: 'gil@example.test' });
    const refused = await accept(revokeToken, gil);
    expect(refused.status).toBe(409);
    expect((await read(refused)).error.message).toMatch(/withdrawn/);
    expect((await preview(revokeToken)).state).toBe('revoked');
    expect((await openInvitations()).map((i) => i.email)).not.toContain('gil@example.test');
  });

  it('answers 404 for an invitation of another organisation', async () => {
    const other = await read(
      await request(tally, 'POST', '/api/orgs', { as: owner, body: { kind: testClub.kind, name: 'Other' } }),
    );
    const invitation = await read(await invite('fay@example.test'));
    const response = await request(tally, 'DELETE', `/api/orgs/${other.id}/invitations/${invitation.id}`, {
      as: owner,
    });
    expect(response.status).toBe(404);
  });

  it('refuses an invitation past its seven days', async () => {
    await invite('lee@example.test');
    const lateToken = await linkTokenFor('lee@example.test');
    const lee = await signedInPerson(tally, { email: 'lee@example.test' });
    tally.clock.advance(7 * DAY_MS - 1);
    expect((await preview(lateToken)).state).toBe('open');
    tally.clock.advance(1);
    expect((await preview(lateToken)).state).toBe('expired');
    expect((await openInvitations()).map((i) => i.email)).not.toContain('lee@example.test');
    const refused = await accept(lateToken, lee);
    expect(refused.status).toBe(409);
    expect((await read(refused)).error).toMatchObject({
      code: 'invitation_expired',
      details: { state: 'expired' },
    });
    expect((await membersOf()).map((m) => m.email)).not.toContain('lee@example.test');

    // A new invitation replaces an expired one without withdrawing it: the old link stays "expired".
    await invite('lee@example.test');
    expect((await preview(lateToken)).state).toBe('expired');
    expect(await read(await accept(await linkTokenFor('lee@example.test'), lee))).toMatchObject({
      my_role: 'member',
    });
  });
});
