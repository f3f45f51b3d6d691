import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  TEST_ADMIN_KEY,
  type TestPerson,
  type TestTally,
  testTally,
} from './support/app';
import { expectUnchanged, snapshotTables } from './support/snapshot';

/**
 * Every operation of /api/openapi.json, sent what a careless or hostile client sends: wrong types,
 * missing and unknown fields, NUL bytes and lone surrogates, 10 KB strings, emoji, negative amounts
 * and amounts past 2^256, ids and cursors that name nothing, as a visitor, a person, an administrator
 * and the operator. No answer is a 500 or takes more than a few seconds; every refusal is the one JSON
 * error shape; and a request built to be invalid is refused with a 4xx and changes nothing. New
 * routes of new lines are walked as they appear in the document.
 */

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string }[];
  body: JsonSchema | null;
}

let tally: TestTally;
let admin: TestPerson;
let person: TestPerson;
let operations: Operation[];
let components: Record<string, JsonSchema>;

const RUNS_PER_OPERATION = 15;
const ANSWER_WITHIN_MS = 5_000;

beforeAll(async () => {
  tally = await testTally();
  admin = await signedInPerson(tally, { isAdmin: true });
  person = await signedInPerson(tally);
  const document = await read(await request(tally, 'GET', '/api/openapi.json'));
  components = document.components?.schemas ?? {};
  operations = Object.entries(document.paths as Record<string, Record<string, Body>>).flatMap(
    ([path, item]) =>
      ['get', 'post', 'put', 'patch', 'delete']
        .filter((method) => item[method])
        .map((method) => {
          const op = item[method];
          return {
            method: method.toUpperCase(),
            path,
            parameters: (op.parameters ?? []) as Operation['parameters'],
            body: (op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined) ?? null,
          };
        }),
  );
});

const resolve = (schema: JsonSchema): JsonSchema => {
  if (schema.$ref) return resolve(components[schema.$ref.replace('#/components/schemas/', '')] ?? {});
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0]!);
  return schema;
};

/** What hostile clients put in a field. */
const nastyValue = fc.oneof(
  fc.constantFrom(
    'nul\u0000byte',
    'lone \ud800 surrogate',
    '🧾💸🌿 emoji',
    '-1',
    '-100',
    (2n ** 256n).toString(),
    '1e309',
    '0.5',
    '',
    ' ',
    '00000000-0000-0000-0000-000000000000',
    'not-a-uuid',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
  ),
  fc.constant('x'.repeat(10 * 1024)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.string({ maxLength: 40 }),
);

/**
 * A body for the schema made of nasty values, with one fault that the schema refuses whatever the
 * values: an unknown field where unknown fields are refused, else a required field left out. Null
 * when the schema has no such sure fault (every field optional, unknown ones allowed).
 */
function invalidBody(schema: JsonSchema | null): fc.Arbitrary<unknown> | null {
  if (!schema) return null;
  const resolved = resolve(schema);
  const properties = Object.keys(resolved.properties ?? {});
  const required = resolved.required ?? [];
  const values = fc.record(Object.fromEntries(properties.map((name) => [name, nastyValue])), {
    requiredKeys: [],
  });
  if (resolved.additionalProperties === false) {
    return values.map((body) => ({ ...body, unknown_field_from_fuzz: 1 }));
  }
  if (required.length > 0) {
    return fc.tuple(values, fc.constantFrom(...required)).map(([body, left]) => {
      const { [left]: _left, ...rest } = body as Record<string, unknown>;
      return rest;
    });
  }
  return null;
}

/** A body of any shape at all: JSON that is not an object, or an object of nasty values. */
const anyBody = fc.oneof(nastyValue, fc.dictionary(fc.string({ maxLength: 12 }), nastyValue, { maxKeys: 5 }));

const pathWith = (operation: Operation, value: fc.Arbitrary<string>) =>
  fc.tuple(...(operation.path.match(/\{\w+\}/g) ?? []).map(() => value)).map((values) => {
    let index = 0;
    return operation.path.replace(/\{\w+\}/g, () => encodeURIComponent(values[index++]!));
  });

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

const queryWith = (operation: Operation) => {
  const names = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  return fc
    .record(Object.fromEntries(names.map((name) => [name, nastyValue.map(asText)])), { requiredKeys: [] })
    .map((query) => {
      const search = new URLSearchParams(query as Record<string, string>).toString();
      return search ? `?${search}` : '';
    });
};

const pathValue = fc.oneof(
  fc.constantFrom(
    'not-a-uuid',
    '00000000-0000-4000-8000-000000000000',
    '🧾',
    '..',
    'x'.repeat(2048),
    '\u0000',
  ),
  fc.string({ maxLength: 20 }).filter((s) => s.length > 0),
);

type Caller = { name: string; as?: TestPerson; headers?: Record<string, string> };

async function send(caller: Caller, method: string, url: string, body: unknown): Promise<Response> {
  const sent = request(tally, method, url, {
    as: caller.as,
    headers: caller.headers,
    body: method === 'GET' ? undefined : body,
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${method} ${url} took over ${ANSWER_WITHIN_MS} ms`)),
      ANSWER_WITHIN_MS,
    );
  });
  try {
    return await Promise.race([sent, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The routes that need the chain, by path prefix. */
const CHAIN_ROUTES = [
  '/api/chain',
  '/api/gateway/deposits',
  '/api/gateway/grants/signed',
  '/api/gateway/withdrawals',
];

const HTML_PAGES = [/ \/api\/streams\/plans\/[^/ ]*\/widget[ ?]/];

/** A refusal in the one error shape (a success may be any shape; a 5xx fails the property). */
async function expectSound(response: Response, label: string, mustRefuse: boolean) {
  // This Tally runs without a chain: the routes that need one answer 503 `unavailable` once past the gate.
  const noChain = response.status === 503 && CHAIN_ROUTES.some((path) => label.includes(` ${path}`));
  expect(response.status, label).toBeLessThan(noChain ? 504 : 500);
  if (mustRefuse) expect(response.status, label).toBeGreaterThanOrEqual(400);
  if (response.status >= 400) {
    // A page made for other sites' iframes (a plan's widget) answers a refusal as a page of its own.
    const isPage = response.headers.get('content-type')?.startsWith('text/html') ?? false;
    if (isPage && HTML_PAGES.some((pattern) => pattern.test(label))) return;
    expect(response.headers.get('content-type'), label).toContain('application/json');
    const { error } = await response.json();
    if (noChain) expect(error?.code, label).toBe('unavailable');
    expect(typeof error?.code, label).toBe('string');
    expect(typeof error?.message, label).toBe('string');
  }
}

describe('the API under fuzz', () => {
  const callers = (): Caller[] => [
    { name: 'visitor' },
    { name: 'person', as: person },
    { name: 'administrator', as: admin },
    { name: 'operator', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } },
  ];

  it('refuses every request built to be invalid with a 4xx JSON error, and changes nothing', async () => {
    // Failed sign-ins count against their rate limits: that is the one trace a refusal leaves.
    const before = await snapshotTables(tally.database.db, ['core_rate_limits']);
    let walked = 0;
    for (const operation of operations.filter((o) => o.method !== 'GET')) {
      const body = invalidBody(operation.body);
      if (!body) continue;
      walked++;
      for (const caller of callers()) {
        await fc.assert(
          fc.asyncProperty(
            body,
            pathWith(operation, fc.constant('00000000-0000-4000-8000-000000000000')),
            async (b, url) => {
              const label = `${caller.name}: ${operation.method} ${url} ${JSON.stringify(b).slice(0, 200)}`;
              await expectSound(await send(caller, operation.method, url, b), label, true);
            },
          ),
          { numRuns: RUNS_PER_OPERATION },
        );
      }
    }
    expect(walked).toBeGreaterThan(30);
    await expectUnchanged(tally.database.db, before);
  });

  it('answers any body, any path parameter and any query without a 5xx, refusals in the one shape', async () => {
    // Signing out would end the walk's sessions: those two routes take no input to fuzz anyway.
    const walked = operations.filter((o) => !['/api/auth/logout', '/api/auth/logout-all'].includes(o.path));
    for (const operation of walked) {
      for (const caller of callers()) {
        await fc.assert(
          fc.asyncProperty(
            anyBody,
            pathWith(operation, pathValue),
            queryWith(operation),
            async (b, path, query) => {
              const url = `${path}${query}`;
              const label = `${caller.name}: ${operation.method} ${url.slice(0, 200)} ${JSON.stringify(b).slice(0, 200)}`;
              await expectSound(await send(caller, operation.method, url, b), label, false);
            },
          ),
          { numRuns: RUNS_PER_OPERATION },
        );
      }
    }
  });
});
