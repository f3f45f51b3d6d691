import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { invitationMachine } from '../src/core/access/invitation-state';
import { defineOrganizationKind } from '../src/core/access/roles';
import { databaseStep, defineFlow, getFlowRun, startFlow } from '../src/core/flows';
import { createRouter, jsonResponse } from '../src/core/http';
import { refusalCodes } from '../src/core/state-machine';
import { reservationMachine } from '../src/credits/engine/reservation-state';
import { makeDemo } from '../src/demo';
import { kycMachine } from '../src/gateway/providers/kyc';
import { productLines } from '../src/lines';
import { buildRegistries, endpointsOf, type ProductLine } from '../src/product-line';
import { read, request, signedInPerson, type TestTally, testTally } from './support/app';

/**
 * A product line written in this test alone: served, jobbed, documented and demoed by Tally without
 * a line of the core knowing it.
 */

const swept: Date[] = [];
let prepared = 0;

const stallKind = defineOrganizationKind({
  kind: 'market_stall',
  label: 'Market stall',
  roles: { seller: { label: 'Seller', permissions: ['market.sell'] } },
});

const openStall = defineFlow<{ stall: string }>({
  name: 'market.open_stall',
  steps: [databaseStep('count', async (tx, { input }) => ({ opened: input.stall, db: Boolean(tx) }))],
});

const marketLine: ProductLine = {
  name: 'market',
  label: 'Market',
  scopes: { 'market:read': 'Read the market’s stalls' },
  organizationKinds: [stallKind],
  notificationTypes: { 'market.sold_out': { defaultChannel: 'in_app', label: 'A stall sold out' } },
  prepare: async () => {
    prepared++;
  },
  routes: () => {
    const router = createRouter();
    router.openapi(
      createRoute({
        method: 'get',
        path: '/stalls/count',
        access: { caller: 'anyone' },
        tags: ['Market'],
        summary: 'How many stalls the market has',
        responses: { 200: jsonResponse(z.object({ stalls: z.number() }), 'The count') },
      }),
      (c) => c.json({ stalls: 3 }, 200),
    );
    return router;
  },
  endpoints: () => {
    const board = new Hono();
    board.get('/:stall', (c) =>
      c.json({ stall: c.req.param('stall'), cookie: c.req.header('cookie') ?? null }),
    );
    return { '/board': board };
  },
  jobs: ({ jobs, clock }) => jobs.every('market.sweep', 1000, async () => swept.push(clock.now())),
  flows: () => [openStall],
  demo: async ({ db }) => {
    await db.execute(sql`SELECT 1`);
    return ['3 stalls'];
  },
};

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally({ lines: [...productLines, marketLine] });
});

describe('a product line Tally has never heard of', () => {
  it('is prepared before anything is served, and its routes answer under /api/<name>', async () => {
    expect(prepared).toBe(1);
    const response = await request(tally, 'GET', '/api/market/stalls/count');
    expect(response.status).toBe(200);
    expect(await read(response)).toEqual({ stalls: 3 });
  });

  it('serves its endpoints outside /api, untouched by the API’s sign-in and cookie rules', async () => {
    const person = await signedInPerson(tally);
    const response = await tally.http.request('/board/cheese', {
      method: 'GET',
      headers: { cookie: person.cookie },
    });
    expect(response.status).toBe(200);
    expect(await read(response)).toEqual({ stall: 'cheese', cookie: person.cookie });
  });

  it('is listed in the OpenAPI document beside the core and the other lines', async () => {
    const document = await read(await request(tally, 'GET', '/api/openapi.json'));
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/market/stalls/count', '/api/credits/balance', '/api/ledger/transfers']),
    );
    expect(document.paths['/api/market/stalls/count'].get.summary).toBe('How many stalls the market has');
  });

  it('runs its sweeps and resumes its flows in the job worker', async () => {
    const { id } = await tally.database.db.transaction((tx) =>
      startFlow(tx, tally.clock, openStall, { stall: 'cheese' }, 'cheese'),
    );
    await tally.jobs.tick();
    expect(swept).toEqual([tally.clock.now()]);
    expect(await getFlowRun(tally.database.db, id)).toMatchObject({
      state: 'done',
      outputs: { count: { opened: 'cheese', db: true } },
    });
  });

  it('adds its kinds, roles, scopes and notification types to the registries the core serves', async () => {
    const person = await signedInPerson(tally);
    const kinds = await read(await request(tally, 'GET', '/api/orgs/kinds', { as: person }));
    const stall = kinds.items.find((k: { kind: string }) => k.kind === 'market_stall');
    expect(stall.roles.map((r: { role: string }) => r.role)).toEqual(['owner', 'admin', 'seller', 'member']);
    const scopes = await read(await request(tally, 'GET', '/api/auth/api-keys/scopes', { as: person }));
    expect(scopes.items).toContainEqual({ scope: 'market:read', description: 'Read the market’s stalls' });
    const settings = await read(await request(tally, 'GET', '/api/notifications/settings', { as: person }));
    expect(settings.items).toContainEqual(
      expect.objectContaining({ type: 'market.sold_out', channel: 'in_app', chosen: false }),
    );
  });

  it('makes its share of the demo through the context it was given', async () => {
    expect(await makeDemo(tally.context, tally.lines)).toContainEqual({ line: 'Market', made: ['3 stalls'] });
  });

  it('is not served by a Tally that does not list it', async () => {
    const without = await testTally();
    expect((await request(without, 'GET', '/api/market/stalls/count')).status).toBe(404);
    const person = await signedInPerson(without);
    const kinds = await read(await request(without, 'GET', '/api/orgs/kinds', { as: person }));
    expect(kinds.items.map((k: { kind: string }) => k.kind)).not.toContain('market_stall');
  });
});

describe('the list of lines', () => {
  it('refuses two lines of one name, a line named after a core area, and one kind declared twice', () => {
    expect(() => buildRegistries([marketLine, marketLine])).toThrow(/listed twice/);
    expect(() => buildRegistries([{ name: 'ledger', label: 'Ledger' }])).toThrow(/core serves/);
    const rival = {
      name: 'rival',
      label: 'Rival',
      organizationKinds: [defineOrganizationKind({ kind: 'market_stall', label: 'Other' })],
    };
    expect(() => buildRegistries([marketLine, rival])).toThrow(/declared twice/);
    const sameScope = { name: 'rival', label: 'Rival', scopes: { 'market:read': 'again' } };
    expect(() => buildRegistries([marketLine, sameScope])).toThrow(/declared twice/);
  });

  it('refuses an endpoint the core serves, a malformed path, and one path served by two lines', () => {
    const serving = (name: string, path: string): ProductLine => ({
      name,
      label: name,
      endpoints: () => ({ [path]: new Hono() }),
    });
    expect(() => endpointsOf([serving('a', '/api')], tally.context)).toThrow(/cannot serve the path "\/api"/);
    expect(() => endpointsOf([serving('a', '/docs')], tally.context)).toThrow(/cannot serve/);
    expect(() => endpointsOf([serving('a', 'board')], tally.context)).toThrow(/cannot serve/);
    expect(() => endpointsOf([serving('a', '/board/x')], tally.context)).toThrow(/cannot serve/);
    expect(() => endpointsOf([serving('a', '/board'), serving('b', '/board')], tally.context)).toThrow(
      /"a" and "b" both serve "\/board"/,
    );
    expect(endpointsOf([serving('a', '/board')], tally.context).map((e) => e.path)).toEqual(['/board']);
  });
});

describe('a new install', () => {
  it('tells anyone that it is empty and how to fill it, until someone signs up', async () => {
    const fresh = await testTally();
    const before = await request(fresh, 'GET', '/api/install');
    expect(before.status).toBe(200);
    expect(await read(before)).toEqual({ empty: true, demo_command: 'npm run tally -- demo' });
    await signedInPerson(fresh);
    expect(await read(await request(fresh, 'GET', '/api/install'))).toEqual({
      empty: false,
      demo_command: 'npm run tally -- demo',
    });
  });
});

describe('the error codes of every line', () => {
  it('are listed once, and cover every refusal of every state machine', () => {
    const { errorCodes } = buildRegistries(productLines);
    for (const machine of [invitationMachine, reservationMachine, kycMachine]) {
      for (const code of refusalCodes(machine)) expect(errorCodes.has(code), code).toBe(true);
    }
    const clash = {
      name: 'rival',
      label: 'Rival',
      errors: { workspace_archived: { status: 422, description: 'x' } },
    } as const;
    expect(() => buildRegistries([...productLines, clash])).toThrow(/declared twice/);
  });

  it('are in the API document: every code in ErrorCode, and a route’s own refusals by status', async () => {
    const document = await read(await request(tally, 'GET', '/api/openapi.json'));
    const codes: string[] = document.components.schemas.ErrorCode.enum;
    expect(codes).toEqual(
      expect.arrayContaining(['validation_failed', 'invitation_revoked', 'workspace_archived']),
    );
    const archive = document.paths['/api/credits/workspaces/{id}/archive'].post.responses['409'];
    expect(archive.description).toContain('workspace_archived');
    expect(archive.content['application/json'].schema.properties.error.properties.code.enum).toContain(
      'workspace_archived',
    );
  });
});
