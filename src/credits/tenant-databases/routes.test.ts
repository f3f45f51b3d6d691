import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { adminKey, creditsAdmin } from '../../../test/support/credits';
import { whenFileEnds } from '../../../test/support/database';
import {
  dropTenantDatabasesAtEnd,
  tenantSettingsForTests,
  whitelabelReseller,
} from '../../../test/support/tenant-databases';
import { silentLogger } from '../../core/log';
import { productLines } from '../../lines';
import { defineCreditsLine } from '../line';
import { customers } from '../schema';
import { advanceTenantDatabases } from './provisioning';
import type { TenantDatabaseDeps } from './settings';

/** `POST` and `GET /api/credits/whitelabel/database`: who may ask, what they see. */

let tally: TestTally;
let deps: TenantDatabaseDeps;
let admin: TestPerson;

beforeAll(async () => {
  const settings = tenantSettingsForTests();
  const line = defineCreditsLine({ tenantDatabases: settings });
  tally = await testTally({ lines: productLines.map((each) => (each.name === 'credits' ? line : each)) });
  deps = { db: tally.database.db, clock: tally.clock, keys: tally.context.keys, log: silentLogger, settings };
  admin = await creditsAdmin(tally);
  dropTenantDatabasesAtEnd(() => tally.database.db);
  whenFileEnds(() => tally.stop());
});

async function reseller(): Promise<TestPerson> {
  const person = await signedInPerson(tally);
  await whitelabelReseller(tally.database.db, tally.clock, person.userId);
  return person;
}

const PATH = '/api/credits/whitelabel/database';

describe('a reseller’s own database over the API', () => {
  it('is asked for once, answers the same row again, and carries no names or credentials', async () => {
    const me = await reseller();
    const first = await request(tally, 'POST', PATH, { as: me });
    const body = await read(first);
    expect(first.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ user_id: me.userId, state: 'requested', attempts: 0, last_error: null });
    expect(Object.keys(body).sort()).toEqual(
      [
        'attempts',
        'created_at',
        'engine',
        'id',
        'last_error',
        'next_attempt_at',
        'ready_at',
        'state',
        'updated_at',
        'user_id',
      ].sort(),
    );
    const again = await read(await request(tally, 'POST', PATH, { as: me }));
    expect(again.id).toBe(body.id);
    expect((await read(await request(tally, 'GET', PATH, { as: me }))).id).toBe(body.id);

    await advanceTenantDatabases(deps);
    const ready = await read(await request(tally, 'GET', PATH, { as: me }));
    expect(ready).toMatchObject({ id: body.id, state: 'ready', next_attempt_at: null });
    expect(ready.ready_at).toBe(tally.clock.now().toISOString());
    const text = JSON.stringify(ready);
    expect(text).not.toMatch(/tally_t_|password|v1\./);
  });

  it('refuses people who are not whitelabel resellers, and resellers with no domain yet', async () => {
    const someone = await signedInPerson(tally);
    for (const method of ['POST', 'GET']) {
      const response = await request(tally, method, PATH, { as: someone });
      expect(response.status).toBe(403);
      expect((await read(response)).error.code).toBe('forbidden');
    }
    // A whitelabel buyer who has not set a domain yet.
    const noDomain = await signedInPerson(tally);
    const now = tally.clock.now();
    await tally.database.db
      .insert(customers)
      .values({ userId: noDomain.userId, type: 'whitelabel', createdAt: now, updatedAt: now });
    const response = await request(tally, 'POST', PATH, { as: noDomain });
    expect(response.status).toBe(404);
    expect((await read(response)).error.message).toContain('whitelabel set-up');
    expect((await request(tally, 'GET', PATH, { as: noDomain })).status).toBe(404);
  });

  it('shows a reseller’s database to administrators, with its errors, and to nobody else', async () => {
    const owner = await reseller();
    const other = await reseller();
    const made = await read(await request(tally, 'POST', PATH, { as: owner }));
    expect((await request(tally, 'GET', `${PATH}?user_id=${owner.userId}`, { as: other })).status).toBe(404);
    const seen = await read(await request(tally, 'GET', `${PATH}?user_id=${owner.userId}`, { as: admin }));
    expect(seen.id).toBe(made.id);
    const byOperator = await request(tally, 'GET', `${PATH}?user_id=${owner.userId}`, { headers: adminKey });
    expect((await read(byOperator)).id).toBe(made.id);
    // The operator acts for no one: asking needs a reseller.
    expect((await request(tally, 'POST', PATH, { headers: adminKey })).status).toBe(401);
  });
});
