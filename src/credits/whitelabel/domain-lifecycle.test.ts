import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { creditsAdmin, makeProduct, ok } from '../../../test/support/credits';
import { startDnsServer, type TestDnsServer } from '../../../test/support/dns-server';
import { freshDomain, resellerWithDomain } from '../../../test/support/whitelabel';
import { queryRows } from '../../core/database';
import { configuredProductLines } from '../../lines';
import { readDomainRecords } from './domain-check';
import { domainResolver } from './domain-resolver';
import { DOMAIN_CHECK_INTERVALS } from './domain-state';

/**
 * A domain's life, checked by the domain job against a real DNS server on 127.0.0.1 whose records
 * the test changes between checks, with the Tally's clock moved on between the job's runs.
 */

let dns: TestDnsServer;
let tally: TestTally;
let admin: TestPerson;
let whitelabelProductId: string;

beforeAll(async () => {
  dns = await startDnsServer();
  // The lines as `tally start` builds them, with DNS_SERVERS naming the test's server.
  tally = await testTally({ lines: configuredProductLines({ dnsServers: [dns.address] }) });
  admin = await creditsAdmin(tally);
  whitelabelProductId = (await makeProduct(tally, admin, { type: 'whitelabel', credits: 10 })).id;
});

const MINUTE = 60_000;

/** Moves the clock on and lets the worker run once, as `tally start` does every JOBS_POLL_MS. */
async function runJobAfter(ms: number): Promise<void> {
  tally.clock.advance(ms);
  await tally.jobs.tick();
}

/** A new reseller's pending claim of a fresh domain. */
const claimed = () => resellerWithDomain(tally, admin, whitelabelProductId);

const whitelabelOf = (reseller: TestPerson): Promise<Body> =>
  ok(tally, 200, 'GET', '/api/credits/whitelabel', { as: reseller });

const auditActions = async (domain: string) =>
  (
    await queryRows<{ action: string }>(
      tally.database.db,
      sql`SELECT action FROM core_audit_log WHERE details->>'domain' = ${domain} ORDER BY id`,
    )
  ).map((row) => row.action);

const notificationsOf = async (reseller: TestPerson) =>
  queryRows<{ type: string; title: string; body: string }>(
    tally.database.db,
    sql`SELECT type, title, body FROM core_notifications WHERE user_id = ${reseller.userId} AND type LIKE 'credits.domain%' ORDER BY id`,
  );

const mailsTo = async (reseller: TestPerson) =>
  (
    await queryRows<{ subject: string }>(
      tally.database.db,
      sql`SELECT subject FROM core_mail_messages WHERE to_address = ${reseller.email} ORDER BY created_at, id`,
    )
  ).map((mail) => mail.subject);

describe('the lookups', () => {
  it('tell a record that does not exist from a lookup that got no answer', async () => {
    const resolver = domainResolver([dns.address], { timeoutMs: 300, tries: 1 });
    const claim = { domain: freshDomain(), cnameTarget: 'tally.test', challengeToken: 'tally-token' };
    // No such name: NXDOMAIN.
    expect(await readDomainRecords(resolver, claim)).toMatchObject({
      cname: { kind: 'none' },
      challenge: { kind: 'none' },
    });
    // The name exists with other records only: an empty answer.
    dns.zone.txt.set(claim.domain, ['v=spf1 -all']);
    expect((await readDomainRecords(resolver, claim)).cname).toEqual({ kind: 'none' });
    dns.pointAt(claim.domain, 'Tally.Test.', 'tally-token');
    expect(await readDomainRecords(resolver, claim)).toMatchObject({
      cname: { kind: 'found', records: ['tally.test'] },
      challenge: { kind: 'found', records: ['tally-token'] },
    });
    dns.zone.failing.add(claim.domain);
    expect((await readDomainRecords(resolver, claim)).cname).toEqual({ kind: 'failed', code: 'ESERVFAIL' });
    dns.zone.failing.delete(claim.domain);
    await dns.stop();
    try {
      const down = await readDomainRecords(resolver, claim);
      expect(down.cname.kind).toBe('failed');
      expect(down.challenge.kind).toBe('failed');
    } finally {
      await dns.start();
    }
    expect((await readDomainRecords(resolver, claim)).cname.kind).toBe('found');
  });
});

describe('a claim the job checks', () => {
  it('stays pending while its records are missing or wrong, saying what it found', async () => {
    const { person: reseller, domain, challenge: token } = await claimed();
    await runJobAfter(MINUTE);
    let claim = await whitelabelOf(reseller);
    expect(claim).toMatchObject({ status: 'pending', failed_checks: 1, dns_verified_at: null });
    expect(claim.last_checked_at).toBe(tally.clock.now().toISOString());
    expect(claim.next_check_at).toBe(new Date(tally.clock.now().getTime() + MINUTE).toISOString());

    dns.zone.cname.set(domain, 'elsewhere.example.net');
    const elsewhere = await ok(tally, 200, 'POST', '/api/credits/whitelabel/check-dns', { as: reseller });
    expect(elsewhere).toMatchObject({
      verified: false,
      found: ['elsewhere.example.net'],
      challenge_found: false,
      lookup_failed: false,
      problems: [
        `the CNAME of ${domain} points to elsewhere.example.net, not tally.test`,
        `there is no TXT record at _tally-challenge.${domain}; add one holding ${token}`,
      ],
    });
    expect(elsewhere.whitelabel).toMatchObject({ status: 'pending', failed_checks: 2 });

    dns.zone.cname.set(domain, 'tally.test');
    await runJobAfter(MINUTE);
    const noToken = await ok(tally, 200, 'POST', '/api/credits/whitelabel/check-dns', { as: reseller });
    expect(noToken.problems).toEqual([
      `there is no TXT record at _tally-challenge.${domain}; add one holding ${token}`,
    ]);
    dns.zone.txt.set(`_tally-challenge.${domain}`, ['tally-someone-elses-token']);
    await runJobAfter(MINUTE);
    claim = await whitelabelOf(reseller);
    expect(claim).toMatchObject({ status: 'pending', failed_checks: 5 });
    expect(await notificationsOf(reseller)).toEqual([]);
  });

  it('becomes verified and active once both records are right, and its owner is told', async () => {
    const { person: reseller, domain, challenge: token } = await claimed();
    dns.pointAt(domain, 'tally.test', token);
    await runJobAfter(MINUTE);
    const claim = await whitelabelOf(reseller);
    const now = tally.clock.now().toISOString();
    expect(claim).toMatchObject({
      status: 'active',
      dns_verified_at: now,
      activated_at: now,
      failed_checks: 0,
      url: `https://${domain}`,
      next_check_at: new Date(tally.clock.now().getTime() + DOMAIN_CHECK_INTERVALS.active).toISOString(),
    });
    expect(await auditActions(domain)).toEqual([
      'credits.whitelabel.set_domain',
      'credits.whitelabel.verify',
      'credits.whitelabel.activate',
    ]);
    expect(await notificationsOf(reseller)).toEqual([
      expect.objectContaining({ type: 'credits.domain_active', title: `${domain} is live` }),
    ]);
    expect(await mailsTo(reseller)).toContain(`${domain} is live`);
    // The job found nothing else due: the next check is an hour away.
    dns.questions.length = 0;
    await runJobAfter(MINUTE);
    expect(
      dns.questions.filter((q) => q === `CNAME ${domain}` || q === `TXT _tally-challenge.${domain}`),
    ).toEqual([]);
  });

  it('is suspended after three wrong answers in a row, not for fewer nor for failed lookups, and active again once right', async () => {
    const { person: reseller, domain, challenge: token } = await claimed();
    dns.pointAt(domain, 'tally.test', token);
    await runJobAfter(MINUTE);
    expect((await whitelabelOf(reseller)).status).toBe('active');

    // The CNAME drifts: one wrong answer, checked again sooner.
    dns.zone.cname.set(domain, 'x.example.net');
    await runJobAfter(DOMAIN_CHECK_INTERVALS.active);
    let claim = await whitelabelOf(reseller);
    expect(claim).toMatchObject({ status: 'active', failed_checks: 1 });
    expect(claim.next_check_at).toBe(
      new Date(tally.clock.now().getTime() + DOMAIN_CHECK_INTERVALS.afterWrongAnswer).toISOString(),
    );
    // A right answer forgives it.
    dns.zone.cname.set(domain, 'tally.test');
    await runJobAfter(DOMAIN_CHECK_INTERVALS.afterWrongAnswer);
    expect(await whitelabelOf(reseller)).toMatchObject({ status: 'active', failed_checks: 0 });

    dns.zone.cname.set(domain, 'x.example.net');
    await runJobAfter(DOMAIN_CHECK_INTERVALS.active);
    await runJobAfter(DOMAIN_CHECK_INTERVALS.afterWrongAnswer);
    expect(await whitelabelOf(reseller)).toMatchObject({ status: 'active', failed_checks: 2 });

    // The DNS server fails, then is down: those checks count nothing.
    dns.zone.failing.add(domain);
    await runJobAfter(DOMAIN_CHECK_INTERVALS.afterWrongAnswer);
    claim = await whitelabelOf(reseller);
    expect(claim).toMatchObject({ status: 'active', failed_checks: 2 });
    expect(claim.next_check_at).toBe(
      new Date(tally.clock.now().getTime() + DOMAIN_CHECK_INTERVALS.afterFailedLookup).toISOString(),
    );
    dns.zone.failing.delete(domain);
    await dns.stop();
    try {
      await runJobAfter(DOMAIN_CHECK_INTERVALS.afterFailedLookup);
      expect(await whitelabelOf(reseller)).toMatchObject({ status: 'active', failed_checks: 2 });
      const unanswered = await ok(tally, 200, 'POST', '/api/credits/whitelabel/check-dns', { as: reseller });
      expect(unanswered).toMatchObject({ lookup_failed: true, problems: [] });
      expect(unanswered.whitelabel).toMatchObject({ status: 'active', failed_checks: 2 });
    } finally {
      await dns.start();
    }
    expect(await notificationsOf(reseller)).toHaveLength(1);

    // The third wrong answer in a row.
    await runJobAfter(DOMAIN_CHECK_INTERVALS.afterFailedLookup);
    claim = await whitelabelOf(reseller);
    const reason = `The CNAME of ${domain} points to x.example.net, not tally.test.`;
    expect(claim).toMatchObject({
      status: 'suspended',
      failed_checks: 3,
      suspended_at: tally.clock.now().toISOString(),
      suspension_reason: reason,
      next_check_at: new Date(tally.clock.now().getTime() + DOMAIN_CHECK_INTERVALS.suspended).toISOString(),
    });
    const [, suspended] = await notificationsOf(reseller);
    expect(suspended).toMatchObject({ type: 'credits.domain_suspended', title: `${domain} is suspended` });
    expect(suspended!.body).toContain(reason);
    expect(await mailsTo(reseller)).toContain(`${domain} is suspended`);

    // Half fixed: the reason follows what is still wrong.
    dns.zone.cname.set(domain, 'tally.test');
    dns.zone.txt.delete(`_tally-challenge.${domain}`);
    await runJobAfter(DOMAIN_CHECK_INTERVALS.suspended);
    expect(await whitelabelOf(reseller)).toMatchObject({
      status: 'suspended',
      suspension_reason: `There is no TXT record at _tally-challenge.${domain}; add one holding ${token}.`,
    });

    dns.pointAt(domain, 'tally.test', token);
    await runJobAfter(DOMAIN_CHECK_INTERVALS.suspended);
    expect(await whitelabelOf(reseller)).toMatchObject({
      status: 'active',
      failed_checks: 0,
      suspended_at: null,
      suspension_reason: null,
      activated_at: tally.clock.now().toISOString(),
    });
    expect((await notificationsOf(reseller)).map((n) => n.type)).toEqual([
      'credits.domain_active',
      'credits.domain_suspended',
      'credits.domain_reactivated',
    ]);
    expect(await mailsTo(reseller)).toContain(`${domain} is active again`);
    expect(await auditActions(domain)).toEqual(
      expect.arrayContaining(['credits.whitelabel.suspend', 'credits.whitelabel.activate']),
    );
    const audited = await queryRows<{ actor_user_id: string | null }>(
      tally.database.db,
      sql`SELECT actor_user_id FROM core_audit_log WHERE action = 'credits.whitelabel.suspend' AND details->>'domain' = ${domain}`,
    );
    expect(audited).toEqual([{ actor_user_id: null }]);
  });

  it('starts again as a pending claim when the domain changes', async () => {
    const { person: reseller, domain, challenge: token } = await claimed();
    dns.pointAt(domain, 'tally.test', token);
    await runJobAfter(MINUTE);
    expect((await whitelabelOf(reseller)).status).toBe('active');
    const moved = await ok(tally, 200, 'PUT', '/api/credits/whitelabel/domain', {
      as: reseller,
      body: { domain: freshDomain() },
    });
    expect(moved).toMatchObject({
      status: 'pending',
      dns_verified_at: null,
      activated_at: null,
      failed_checks: 0,
      next_check_at: tally.clock.now().toISOString(),
    });
    expect(moved.challenge.value).not.toBe(token);
    // The old name is free for whoever proves it next.
    const { person: next } = await claimed();
    const taken = await request(tally, 'PUT', '/api/credits/whitelabel/domain', {
      as: next,
      body: { domain },
    });
    expect(taken.status).toBe(200);
    expect((await read(taken)).status).toBe('pending');
  });

  it('backs off to every quarter of an hour after a day pending', async () => {
    const { person: reseller } = await claimed();
    await tally.database.db.execute(
      sql`UPDATE credits_whitelabels SET failed_checks = ${DOMAIN_CHECK_INTERVALS.pendingFastChecks}
          WHERE user_id = ${reseller.userId}`,
    );
    await runJobAfter(MINUTE);
    const claim = await whitelabelOf(reseller);
    expect(claim.next_check_at).toBe(
      new Date(tally.clock.now().getTime() + DOMAIN_CHECK_INTERVALS.pendingLater).toISOString(),
    );
  });
});
