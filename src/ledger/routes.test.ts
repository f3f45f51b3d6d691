import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY as ADMIN_KEY, read, type TestTally, testTally } from '../../test/support/app';
import { queryRows } from '../core/database';
import { newId } from '../core/ids';

let tally: TestTally;

beforeAll(async () => {
  // The ledger alone: no product line makes ledgers of its own here.
  tally = await testTally({ start: '2026-05-01T12:00:00Z', lines: [] });
});

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return tally.http.request(path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function openAccounts(count: number, ledger = 'USDC', limited = false): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId());
  const response = await call('POST', '/api/ledger/accounts', {
    accounts: ids.map((id) => ({
      id,
      ledger,
      code: 'wallet',
      flags: { debits_must_not_exceed_credits: limited },
    })),
  });
  expect(response.status).toBe(200);
  return ids;
}

describe('ledger API', () => {
  beforeAll(async () => {
    expect(
      (await call('POST', '/api/ledger/ledgers', { code: 'USDC', scale: 6, name: 'USD Coin' })).status,
    ).toBe(201);
  });

  it('refuses every call without the admin key', async () => {
    for (const auth of [undefined, 'Bearer wrong', `Basic ${ADMIN_KEY}`]) {
      const response = await tally.http.request('/api/ledger/ledgers', {
        headers: auth ? { authorization: auth } : {},
      });
      expect(response.status).toBe(401);
      expect((await read(response)).error.code).toBe('unauthorized');
    }
  });

  it('creates a ledger idempotently and refuses a different scale for the same code', async () => {
    expect((await call('POST', '/api/ledger/ledgers', { code: 'USDC', scale: 6 })).status).toBe(201);
    const clash = await call('POST', '/api/ledger/ledgers', { code: 'USDC', scale: 2 });
    expect(clash.status).toBe(409);
    const list = await read(await call('GET', '/api/ledger/ledgers'));
    expect(list.items).toEqual([expect.objectContaining({ code: 'USDC', scale: 6, name: 'USD Coin' })]);
  });

  it('moves value with a hold, a partial post and an exact history', async () => {
    const [treasury, wallet] = [...(await openAccounts(1)), ...(await openAccounts(1, 'USDC', true))];
    const fund = newId();
    const hold = newId();
    const created = await call('POST', '/api/ledger/transfers', {
      transfers: [
        {
          id: fund,
          debit_account_id: treasury,
          credit_account_id: wallet,
          amount: '5000000',
          ledger: 'USDC',
          code: 'deposit',
        },
        {
          id: hold,
          debit_account_id: wallet,
          credit_account_id: treasury,
          amount: '1250000',
          ledger: 'USDC',
          code: 'call',
          flags: { pending: true },
          timeout_seconds: 300,
        },
      ],
    });
    expect(created.status).toBe(200);
    const { results } = await read(created);
    expect(results.map((r: { result: string }) => r.result)).toEqual(['ok', 'ok']);
    expect(results[1].transfer.expires_at).toBe('2026-05-01T12:05:00.000Z');

    const post = await call('POST', '/api/ledger/transfers', {
      transfers: [
        { id: newId(), pending_id: hold, amount: '1000000', flags: { post_pending_transfer: true } },
      ],
    });
    expect((await read(post)).results[0].result).toBe('ok');

    const account = await read(await call('GET', `/api/ledger/accounts/${wallet}`));
    expect(account).toMatchObject({
      credits_posted: '5000000',
      debits_posted: '1000000',
      debits_pending: '0',
    });
    const history = await read(await call('GET', `/api/ledger/accounts/${wallet}/history?limit=2`));
    expect(history.items.map((e: { transfer: { kind: string } }) => e.transfer.kind)).toEqual([
      'posted',
      'pending',
    ]);
    const rest = await read(
      await call('GET', `/api/ledger/accounts/${wallet}/history?cursor=${history.next_cursor}`),
    );
    expect(rest.items).toHaveLength(1);
    expect(rest.items[0].balance).toEqual({
      debits_pending: '0',
      debits_posted: '1000000',
      credits_pending: '0',
      credits_posted: '5000000',
    });
    const fetched = await read(await call('GET', `/api/ledger/transfers/${fund}`));
    expect(fetched.amount).toBe('5000000');
  });

  it('answers a retry with the original transfer and a changed retry with the field that differs', async () => {
    const [a, b] = await openAccounts(2);
    const transfer = {
      id: newId(),
      debit_account_id: a,
      credit_account_id: b,
      amount: '10',
      ledger: 'USDC',
      code: 'x',
    };
    const first = (await read(await call('POST', '/api/ledger/transfers', { transfers: [transfer] })))
      .results[0];
    const again = (await read(await call('POST', '/api/ledger/transfers', { transfers: [transfer] })))
      .results[0];
    const changed = (
      await read(await call('POST', '/api/ledger/transfers', { transfers: [{ ...transfer, amount: '11' }] }))
    ).results[0];
    expect(first.result).toBe('ok');
    expect(again).toMatchObject({ result: 'exists', transfer: { seq: first.transfer.seq } });
    expect(changed.result).toBe('exists_with_different_amount');
    expect((await read(await call('GET', `/api/ledger/accounts/${b}`))).credits_posted).toBe('10');
  });

  it('closes and reopens an account', async () => {
    const [a, b] = await openAccounts(2);
    expect((await read(await call('POST', `/api/ledger/accounts/${b}/close`))).flags.closed).toBe(true);
    const refused = await call('POST', '/api/ledger/transfers', {
      transfers: [
        { id: newId(), debit_account_id: a, credit_account_id: b, amount: '1', ledger: 'USDC', code: 'x' },
      ],
    });
    expect((await read(refused)).results[0].result).toBe('credit_account_already_closed');
    expect((await read(await call('POST', `/api/ledger/accounts/${b}/reopen`))).flags.closed).toBe(false);
  });

  it('pages accounts by ledger and owner', async () => {
    const owner = `org:${newId()}`;
    const ids = Array.from({ length: 3 }, () => newId()).sort();
    await call('POST', '/api/ledger/accounts', {
      accounts: ids.map((id) => ({ id, ledger: 'USDC', code: 'w', owner })),
    });
    const first = await read(await call('GET', `/api/ledger/accounts?owner=${owner}&limit=2`));
    const second = await read(
      await call('GET', `/api/ledger/accounts?owner=${owner}&limit=2&cursor=${first.next_cursor}`),
    );
    expect([...first.items, ...second.items].map((a: { id: string }) => a.id)).toEqual(ids);
    expect(second.next_cursor).toBeNull();
  });

  it('refuses bad input with a 4xx in the one error shape, and writes nothing', async () => {
    const [a, b] = await openAccounts(2);
    const valid = {
      id: newId(),
      debit_account_id: a,
      credit_account_id: b,
      amount: '1',
      ledger: 'USDC',
      code: 'x',
    };
    const cases: [unknown, number, string][] = [
      ['{"transfers": [', 400, 'malformed_json'],
      [{ transfers: [{ ...valid, amount: 1 }] }, 400, 'validation_failed'],
      [{ transfers: [{ ...valid, amount: '1.5' }] }, 400, 'validation_failed'],
      [{ transfers: [{ ...valid, amount: '-1' }] }, 400, 'validation_failed'],
      [{ transfers: [{ ...valid, amount: (1n << 256n).toString() }] }, 400, 'validation_failed'],
      [{ transfers: [{ ...valid, id: 'not-a-uuid' }] }, 400, 'validation_failed'],
      [{ transfers: [{ ...valid, surprise: true }] }, 400, 'validation_failed'],
      [{ transfers: [] }, 400, 'validation_failed'],
      [{}, 400, 'validation_failed'],
      [{ transfers: [valid], extra: 1 }, 400, 'validation_failed'],
      [{ transfers: [{ ...valid, memo: 'x'.repeat(70_000) }] }, 413, 'payload_too_large'],
    ];
    for (const [body, status, code] of cases) {
      const response = await call('POST', '/api/ledger/transfers', body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      const json = await read(response);
      expect(json.error.code).toBe(code);
      expect(typeof json.error.message).toBe('string');
    }
    const wrongType = await call('POST', '/api/ledger/transfers', 'transfers=1', {
      'content-type': 'text/plain',
    });
    expect(wrongType.status).toBe(415);
    expect((await read(wrongType)).error.code).toBe('unsupported_media_type');
    expect((await read(await call('GET', `/api/ledger/accounts/${b}`))).credits_posted).toBe('0');
  });

  it('answers 404 for unknown objects and routes, and 400 for malformed ids and cursors', async () => {
    const missing = await call('GET', `/api/ledger/accounts/${newId()}`);
    expect(missing.status).toBe(404);
    expect((await read(missing)).error.code).toBe('not_found');
    expect((await call('GET', '/api/ledger/accounts/nope')).status).toBe(400);
    expect((await call('GET', '/api/ledger/accounts?limit=0')).status).toBe(400);
    expect((await call('GET', '/api/ledger/transfers?cursor=abc')).status).toBe(400);
    expect((await call('GET', '/api/ledger/nothing-here')).status).toBe(404);
  });

  it('writes each operator change to the audit log with the request id', async () => {
    const [account] = await openAccounts(1);
    const response = await call('POST', `/api/ledger/accounts/${account}/close`);
    const requestId = response.headers.get('x-request-id');
    const rows = await queryRows<{ action: string; object_id: string; request_id: string }>(
      tally.database.db,
      sql`SELECT action, object_id, request_id FROM core_audit_log WHERE action LIKE 'ledger.%' ORDER BY id`,
    );
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['ledger.create', 'ledger.accounts_create']),
    );
    expect(rows.at(-1)).toEqual({
      action: 'ledger.account_close',
      object_id: account,
      request_id: requestId,
    });
  });

  it('reports the invariants as holding', async () => {
    expect(await read(await call('GET', '/api/ledger/invariants'))).toEqual({ ok: true, violations: [] });
  });
});

describe('server shell', () => {
  it('reports health with the database checked', async () => {
    const response = await tally.http.request('/healthz');
    expect(response.status).toBe(200);
    expect(await read(response)).toEqual({ status: 'ok', database: 'ok' });
  });

  it('serves the OpenAPI document with every ledger route and a browsable reference', async () => {
    const doc = await read(await tally.http.request('/api/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/ledger/transfers',
        '/api/ledger/accounts/{id}/history',
        '/api/ledger/ledgers',
      ]),
    );
    expect(doc.components.schemas.Transfer.properties.amount).toMatchObject({ type: 'string' });
    const page = await tally.http.request('/docs');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/api/openapi.json');
    expect((await tally.http.request('/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('tags each response with a request id', async () => {
    const response = await tally.http.request('/healthz');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('paging through the ledger', () => {
  /** Every page of a list, following next_cursor to the end. */
  async function walk(path: string): Promise<{ seqs: bigint[]; pages: number }> {
    const seqs: bigint[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const response = await call('GET', `${path}${cursor ? `${separator}cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      const page = await read(response);
      for (const item of page.items) seqs.push(BigInt(item.seq ?? item.transfer.seq));
      cursor = page.next_cursor;
      pages++;
      expect(pages).toBeLessThan(100);
    } while (cursor);
    return { seqs, pages };
  }

  it('walks every transfer exactly once, in commit order, past seq 9, 99 and beyond (numbers, not text)', async () => {
    const [from, to] = await openAccounts(2);
    await call('POST', '/api/ledger/ledgers', { code: 'PAGE', scale: 0 });
    const [a, b] = await openAccounts(2, 'PAGE');
    const transfers = Array.from({ length: 105 }, (_, i) => ({
      id: newId(),
      debit_account_id: i % 3 === 0 ? from : a,
      credit_account_id: i % 3 === 0 ? to : b,
      amount: '1',
      ledger: i % 3 === 0 ? 'USDC' : 'PAGE',
      code: 'page',
    }));
    const created = await call('POST', '/api/ledger/transfers', { transfers });
    expect((await read(created)).results.every((r: { result: string }) => r.result === 'ok')).toBe(true);

    const all = await walk('/api/ledger/transfers?limit=7');
    expect(all.seqs.length).toBeGreaterThanOrEqual(105);
    expect(new Set(all.seqs).size).toBe(all.seqs.length);
    expect(all.seqs).toEqual([...all.seqs].sort((x, y) => (x < y ? -1 : 1)));

    const ofLedger = await walk('/api/ledger/transfers?ledger=PAGE&limit=7');
    expect(ofLedger.seqs).toHaveLength(70);
    expect(ofLedger.pages).toBe(10);

    const ofAccount = await walk(`/api/ledger/transfers?account_id=${to}&limit=4`);
    expect(ofAccount.seqs).toHaveLength(35);
    expect(ofAccount.seqs).toEqual([...ofAccount.seqs].sort((x, y) => (x < y ? -1 : 1)));

    const history = await walk(`/api/ledger/accounts/${b}/history?limit=6`);
    expect(history.seqs).toEqual(ofLedger.seqs);
  });

  it('refuses a cursor it did not give out, naming the field', async () => {
    for (const cursor of ['abc', '12', 'czotMQ', 'aTpub3QtYS11dWlk', `${'A'.repeat(201)}`]) {
      const response = await call('GET', `/api/ledger/transfers?cursor=${cursor}`);
      expect(response.status, cursor).toBe(400);
      expect((await read(response)).error.details.field ?? 'cursor').toBe('cursor');
    }
    // A cursor of another list (an id where a sequence number belongs) is refused too.
    const accounts = await read(await call('GET', '/api/ledger/accounts?limit=1'));
    expect((await call('GET', `/api/ledger/transfers?cursor=${accounts.next_cursor}`)).status).toBe(400);
  });
});
