import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import {
  bearerConsumer,
  connectBearer,
  type GatewayWorld,
  gatewayWorld,
} from '../../../test/support/gateway';
import { queryRows } from '../../core/database';
import { expireDuePendingTransfers } from '../../ledger/engine';
import type { GatewayDeps } from '../deps';
import { gatewayDeps } from '../line';
import { LEASE_SECONDS, sweepLostLeases } from './leases';
import { Meter } from './meter';

let tally: TestTally;
let world: GatewayWorld;
let deps: GatewayDeps;

beforeAll(async () => {
  tally = await testTally();
  world = await gatewayWorld(tally);
  deps = gatewayDeps(tally.context);
});

afterAll(async () => {
  await world?.close();
});

const balance = async (person: TestPerson) =>
  read(await request(tally, 'GET', '/api/gateway/balance', { as: person }));

const call = (client: Client, name: string) =>
  client.callTool({ name, arguments: name === 'add' ? { a: 1, b: 2 } : {} }) as Promise<CallToolResult>;

async function committedTo(grantId: string): Promise<string> {
  const [row] = await queryRows<{ committed: string }>(
    tally.database.db,
    sql`SELECT committed::text FROM gateway_grants WHERE id = ${grantId}`,
  );
  return row!.committed;
}

async function leasesOf(userId: string) {
  return queryRows<{ amount: string; captured: string; ended: boolean }>(
    tally.database.db,
    sql`SELECT amount::text, captured::text, ended_at IS NOT NULL AS ended FROM gateway_leases
        WHERE user_id = ${userId} ORDER BY started_at, id`,
  );
}

describe('charging from leases', () => {
  it('holds a block of credits under the grant once, and gives back all it did not use when it ends', async () => {
    const { person, token, grant } = await bearerConsumer(tally, 1_000_000n, { cap: '600000' });
    const client = await connectBearer(world, token);
    for (let n = 0; n < 3; n++) expect((await call(client, 'add')).isError).toBeFalsy();
    // The answers did not wait for the commit; it follows within a moment.
    await deps.meter.flushed();

    // One lease: a hundred calls' worth (250,000), held on the ledger and committed to the grant.
    expect(await leasesOf(person.userId)).toEqual([{ amount: '250000', captured: '7500', ended: false }]);
    expect(await committedTo(grant.id)).toBe('250000');
    // What the lease holds unused is still the person's to spend: the balance counts it available.
    expect(await balance(person)).toMatchObject({ available: '992500', held: '0', spent: '7500' });

    await deps.meter.release({ userId: person.userId });
    expect(await leasesOf(person.userId)).toEqual([{ amount: '250000', captured: '7500', ended: true }]);
    expect(await committedTo(grant.id)).toBe('7500');
    expect(await balance(person)).toMatchObject({ available: '992500', held: '0', spent: '7500' });
    const calls = await queryRows<{ state: string; n: number }>(
      tally.database.db,
      sql`SELECT state, count(*)::int AS n FROM gateway_calls WHERE user_id = ${person.userId} GROUP BY state`,
    );
    expect(calls).toEqual([{ state: 'served', n: 3 }]);

    // The next call opens a new lease, no bigger than the grant's cap still allows.
    expect((await call(client, 'add')).isError).toBeFalsy();
    await deps.meter.flushed();
    expect((await leasesOf(person.userId)).filter((l) => !l.ended)).toEqual([
      { amount: '250000', captured: '2500', ended: false },
    ]);
    expect(await committedTo(grant.id)).toBe('257500');
    await client.close();
  });

  it('never strands a nearly empty balance in one tool’s lease: another tool’s call takes it back', async () => {
    // Two adds' worth: the add lease holds it all, and a picture still gets served.
    const { person, token } = await bearerConsumer(tally, 5_000n);
    const client = await connectBearer(world, token);
    expect((await call(client, 'add')).isError).toBeFalsy();
    expect((await call(client, 'picture')).isError).toBeFalsy();
    expect(await balance(person)).toMatchObject({ available: '2000', spent: '3000' });

    // 2,000 left is less than an add: refused in words, nothing charged.
    const refused = await call(client, 'add');
    expect(refused.isError).toBe(true);
    expect((refused._meta as Body)['tally/error']).toMatchObject({
      code: 'insufficient_credits',
      price: '2500',
      available: '2000',
    });
    for (let n = 0; n < 4; n++) expect((await call(client, 'picture')).isError).toBeFalsy();
    expect((await call(client, 'picture')).isError).toBe(true);
    expect(await balance(person)).toMatchObject({ available: '0', held: '0', spent: '5000' });
    await client.close();
  });

  it('lists a call while it runs, as processing_request, then as served', async () => {
    const { person, token } = await bearerConsumer(tally, 10_000n);
    const client = await connectBearer(world, token);
    const running = client.callTool({ name: 'slow', arguments: { steps: 3, ms: 100 } });
    let listed: Body | undefined;
    for (let tries = 0; tries < 100 && !listed; tries++) {
      const page = await read(await request(tally, 'GET', '/api/gateway/calls', { as: person }));
      listed = page.items.find((c: Body) => c.state === 'processing_request');
      if (!listed) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Reserved, not charged yet.
    expect(listed).toMatchObject({ tool: 'slow', price: '1000', cost: '0', finished_at: null });
    await running;
    const after = await read(await request(tally, 'GET', '/api/gateway/calls', { as: person }));
    expect(after.items).toHaveLength(1);
    expect(after.items[0]).toMatchObject({ id: listed!.id, state: 'served', cost: '1000' });
    await client.close();
  });

  it('never overdraws across processes: two meters, 50 concurrent calls on a balance for 10, exactly 10 charged', async () => {
    const { person, grant } = await bearerConsumer(tally, 25_000n);
    const [provider] = await queryRows<{ id: string }>(
      tally.database.db,
      sql`SELECT provider_id AS id FROM gateway_servers WHERE id = ${world.serverId}`,
    );
    const processes = [0, 1].map(
      () => new Meter({ db: tally.database.db, clock: tally.clock, log: deps.log }),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async (_, n) => {
        const meter = processes[n % 2]!;
        try {
          const begun = await meter.begin({
            userId: person.userId,
            grantId: grant.id,
            serverId: world.serverId,
            providerId: provider!.id,
            slug: world.slug,
            tool: 'add',
            price: 2_500n,
            requestHash: 'b'.repeat(64),
            key: `two-processes-${n}`,
            clientKey: false,
          });
          if (begun.kind !== 'started') return begun.kind;
          return meter.finish(begun.ticket, { served: true, result: { content: [] } }).call.state;
        } catch (error) {
          return (error as { code?: string }).code;
        }
      }),
    );
    await Promise.all(processes.map((meter) => meter.close()));
    expect(outcomes.filter((o) => o === 'served')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'insufficient_credits')).toHaveLength(40);
    expect(await balance(person)).toMatchObject({ available: '0', held: '0', spent: '25000' });
    expect(await committedTo(grant.id)).toBe('25000');
  });

  it('after a process died with a lease open: the hold expires, the sweep gives the grant back, nothing is charged', async () => {
    // This process's own leases end first, so the sweep below finds only the dead one's.
    await deps.meter.release({});
    const { person, grant } = await bearerConsumer(tally, 100_000n);
    const server = { serverId: world.serverId, slug: world.slug, tool: 'add' };
    const [provider] = await queryRows<{ id: string }>(
      tally.database.db,
      sql`SELECT provider_id AS id FROM gateway_servers WHERE id = ${world.serverId}`,
    );
    // Another process: it opens a lease for a call, and dies before the call ends.
    const dying = new Meter({ db: tally.database.db, clock: tally.clock, log: deps.log });
    const begun = await dying.begin({
      ...server,
      userId: person.userId,
      grantId: grant.id,
      providerId: provider!.id,
      price: 2_500n,
      requestHash: 'a'.repeat(64),
      key: 'died-mid-call',
      clientKey: true,
    });
    expect(begun.kind).toBe('started');
    expect(await committedTo(grant.id)).toBe('100000');
    expect(await balance(person)).toMatchObject({ available: '0', held: '100000' });

    // Not before the hold's end: the lease may still be in use.
    expect(await sweepLostLeases(deps)).toBe(0);
    tally.clock.advance((LEASE_SECONDS + 1) * 1000);
    await tally.database.db.transaction((tx) => expireDuePendingTransfers(tx, { clock: tally.clock }));
    expect(await sweepLostLeases(deps)).toBe(1);
    expect(await sweepLostLeases(deps)).toBe(0);
    expect(await committedTo(grant.id)).toBe('0');
    expect(await leasesOf(person.userId)).toEqual([{ amount: '100000', captured: '0', ended: true }]);
    expect(await balance(person)).toMatchObject({ available: '100000', held: '0', spent: '0' });
  });
});
