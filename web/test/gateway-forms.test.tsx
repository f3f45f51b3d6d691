import { File as NodeFile } from 'node:buffer';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '../../src/gateway/demo/upstream-server';
import { type Body, read, request, signedInPerson, type TestPerson } from '../../test/support/app';
import { fundCredits, linkWallet } from '../../test/support/gateway';
import { installInputApis } from './support/credits-stage';
import { field, fieldError, formAlert, sentTo, tallyPages } from './support/pages';

// The gateway pages compute expiries and validity windows from the browser's clock: Tally's clock
// starts at the same moment. The chain is for withdrawals, which Tally pays on chain.
const pages = tallyPages({ chain: true, start: new Date().toISOString() });

let upstream: DemoUpstream;
beforeAll(async () => {
  installInputApis();
  upstream = await startDemoUpstream();
  // The line's pages are a bundle of their own: loaded once here, not within the first test's wait.
  await import('../src/lines/gateway/GatewayPages');
});
afterAll(async () => {
  await upstream?.close();
});

/** What the page sent that changes something: a form that refuses to send leaves this empty. */
const changesSent = () => pages.sent.filter((sent) => sent.method !== 'GET');
const ok = async (response: Response, status: number): Promise<Body> => {
  const body = await read(response);
  expect({ status: response.status, body }).toMatchObject({ status });
  return body;
};
const retype = async (user: UserEvent, input: HTMLElement, text: string) => {
  await user.clear(input);
  if (text) await user.type(input, text);
};

const PAYOUT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
let made = 0;
const fresh = (what: string) => `${what}-${++made}-${Date.now().toString(36)}`;

/** A signed-in person who is a provider. */
async function provider(name = 'Weather Co'): Promise<TestPerson> {
  const person = await signedInPerson(pages.tally);
  await ok(
    await request(pages.tally, 'POST', '/api/gateway/provider', {
      as: person,
      body: { name, payout_address: PAYOUT },
    }),
    201,
  );
  return person;
}

/** The demo server, registered by `person` through the API; its tools arrive unpriced. */
async function demoServer(person: TestPerson): Promise<Body> {
  return ok(
    await request(pages.tally, 'POST', '/api/gateway/servers', {
      as: person,
      body: { slug: fresh('demo'), name: 'Demo tools', upstream_url: upstream.url },
    }),
    201,
  );
}

describe('the register-server form', () => {
  const open = async (person: TestPerson) => {
    pages.signIn(person);
    const { user, router } = await pages.render('/gateway/provider/servers/new');
    const form = await screen.findByRole('form', { name: 'Register an MCP server' });
    const input = (label: RegExp) => () => field(form, label);
    return {
      user,
      router,
      form,
      submit: () => user.click(within(form).getByRole('button', { name: 'Register server' })),
      name: input(/^Name/),
      slug: input(/^Path/),
      url: input(/^Upstream URL/),
      headerName: input(/^Header name/),
      headerValue: input(/^Header value/),
      usage: input(/^Usage URL/),
    };
  };

  it('says what is missing or malformed as it is typed, focuses the first field to fix, and sends nothing', async () => {
    const opened = await open(await provider());
    await opened.submit();
    expect(fieldError(opened.name())).toBe('Enter the name people see in the catalogue');
    expect(fieldError(opened.slug())).toBe('Enter the path, such as weather-tools');
    expect(fieldError(opened.url())).toBe('Enter the Streamable HTTP URL of the MCP server');
    await waitFor(() => expect(document.activeElement).toBe(opened.name()));

    // The path follows the name until it is edited.
    await opened.user.type(opened.name(), 'Weather Tools!');
    expect(opened.slug().value).toBe('weather-tools');
    expect(fieldError(opened.slug())).toBeNull();
    await retype(opened.user, opened.slug(), '-Weather');
    expect(fieldError(opened.slug())).toBe(
      'Lower-case letters, digits and -, 2 to 63 characters, not starting with -',
    );
    await opened.user.type(opened.url(), 'ftp://mcp.example.com');
    expect(fieldError(opened.url())).toBe(
      'Enter an http:// or https:// URL, such as https://mcp.example.com/mcp',
    );
    await opened.user.type(opened.headerName(), 'Content-Type');
    expect(fieldError(opened.headerName())).toBe('HTTP and MCP set this header themselves');
    await opened.submit();
    expect(fieldError(opened.headerValue())).toBe('Enter the header’s value');
    await opened.user.type(opened.usage(), 'not a url');
    expect(fieldError(opened.usage())).toBe('Enter an http:// or https:// URL, or leave it empty');
    await opened.submit();
    await waitFor(() => expect(document.activeElement).toBe(opened.slug()));
    expect(changesSent()).toEqual([]);
  });

  it('puts the 422 of an upstream Tally cannot reach next to the URL, keeping what was typed', async () => {
    const opened = await open(await provider());
    const slug = fresh('nowhere');
    await opened.user.type(opened.name(), 'Nowhere tools');
    await retype(opened.user, opened.slug(), slug);
    // Port 9 (discard) listens nowhere here: the connection is refused.
    await opened.user.type(opened.url(), 'http://127.0.0.1:9/mcp');
    await opened.submit();
    // The reason is the server's (the connection refused), in a sentence.
    await waitFor(() =>
      expect(fieldError(opened.url())).toMatch(
        /^Tally could not use the MCP server at http:\/\/127\.0\.0\.1:9\/mcp: .+\.$/,
      ),
    );
    expect(opened.url().getAttribute('aria-invalid')).toBe('true');
    expect(formAlert(opened.form)).toBeNull();
    expect([opened.name().value, opened.slug().value, opened.url().value]).toEqual([
      'Nowhere tools',
      slug,
      'http://127.0.0.1:9/mcp',
    ]);
    expect(sentTo(pages, 'POST', '/api/gateway/servers').map((sent) => sent.body)).toEqual([
      { slug, name: 'Nowhere tools', upstream_url: 'http://127.0.0.1:9/mcp' },
    ]);
    await waitFor(() => expect(document.activeElement).toBe(opened.url()));
  });

  it('puts the 409 of a path taken next to the path, and registers the server once the path is free', async () => {
    const person = await provider();
    const taken = (await demoServer(person)).slug as string;
    const opened = await open(person);
    await opened.user.type(opened.name(), 'Demo tools again');
    await retype(opened.user, opened.slug(), taken);
    await opened.user.type(opened.url(), upstream.url);
    await opened.submit();
    await waitFor(() => expect(fieldError(opened.slug())).toMatch(/^[A-Z].*\.$/));
    expect(formAlert(opened.form)).toBeNull();

    const slug = fresh('demo');
    await retype(opened.user, opened.slug(), slug);
    await opened.submit();
    await waitFor(() =>
      expect(opened.router.state.location.pathname).toMatch(/^\/gateway\/provider\/servers\/[0-9a-f-]{36}$/),
    );
    await screen.findByRole('heading', { level: 1, name: 'Demo tools again' });
    await screen.findByText('6 tools have no price yet and cannot be called: price them.');
    expect(screen.getByLabelText('Endpoint').textContent).toBe(`http://tally.test/mcp/${slug}`);
  });
});

describe('the prices form', () => {
  const open = async (person: TestPerson, serverId: string) => {
    pages.signIn(person);
    const { user } = await pages.render(`/gateway/provider/servers/${serverId}`);
    const form = await screen.findByRole('form', { name: 'Tool prices' });
    const price = (tool: string) => field(form, new RegExp(`^Price of ${tool}$`));
    const row = (tool: string) => price(tool).closest('tr') as HTMLElement;
    const submit = () => user.click(within(form).getByRole('button', { name: 'Save prices' }));
    return { user, form, price, row, submit };
  };

  it('reads either decimal separator, refuses ambiguous or over-precise prices, and sends nothing then', async () => {
    const person = await provider();
    const server = await demoServer(person);
    const { user, form, price, row, submit } = await open(person, server.id);
    await user.type(price('add'), '0,0025');
    expect(fieldError(price('add'))).toBeNull();
    expect(within(row('add')).getByText('0.0025 USDC per call')).toBeTruthy();
    await user.type(price('echo'), '0');
    expect(within(row('echo')).getByText('free')).toBeTruthy();
    expect(within(row('fail')).getByText('not callable')).toBeTruthy();

    await user.type(price('slow'), '1,250');
    expect(fieldError(price('slow'))).toBe(
      '“1,250” could be 1250 or 1.250: write 1250 without a separator, or 1.2500 for decimals',
    );
    await user.type(price('picture'), '0.0000001');
    expect(fieldError(price('picture'))).toBe('USDC has 6 decimals: use at most 6');
    await submit();
    await waitFor(() => expect(document.activeElement).toBe(price('picture')));
    expect(changesSent()).toEqual([]);

    await retype(user, price('slow'), '');
    await retype(user, price('picture'), '');
    await submit();
    await waitFor(() =>
      expect(
        sentTo(pages, 'PUT', `/api/gateway/servers/${server.id}/prices`).map((sent) => sent.body),
      ).toEqual([{ prices: { add: '2500', echo: '0' } }]),
    );
    expect(formAlert(form)).toBeNull();
    // The page says so once the server answered: only then is the change stored.
    await screen.findByText('4 tools have no price yet and cannot be called: price them.');
    const saved = await read(
      await request(pages.tally, 'GET', `/api/gateway/servers/${server.id}`, { as: person }),
    );
    expect(Object.fromEntries(saved.tools.map((tool: Body) => [tool.name, tool.price]))).toEqual({
      add: '2500',
      ask_model: null,
      echo: '0',
      fail: null,
      picture: null,
      slow: null,
    });
  });

  it('sends only the prices that changed, a cleared one as not callable, and says when nothing changed', async () => {
    const person = await provider();
    const server = await demoServer(person);
    await ok(
      await request(pages.tally, 'PUT', `/api/gateway/servers/${server.id}/prices`, {
        as: person,
        body: { prices: { add: '2500', echo: '0' } },
      }),
      200,
    );
    const { user, form, price, submit } = await open(person, server.id);
    expect([price('add').value, price('echo').value, price('slow').value]).toEqual(['0.0025', '0.00', '']);
    await submit();
    expect(within(form).getByRole('status').textContent).toBe('No price changed: nothing to save.');
    expect(changesSent()).toEqual([]);

    await retype(user, price('add'), '0.003');
    await retype(user, price('echo'), '');
    await submit();
    await waitFor(() =>
      expect(
        sentTo(pages, 'PUT', `/api/gateway/servers/${server.id}/prices`).map((sent) => sent.body),
      ).toEqual([{ prices: { add: '3000', echo: null } }]),
    );
  });
});

describe('issuing a session key', () => {
  const open = async (person: TestPerson) => {
    pages.signIn(person);
    const { user } = await pages.render('/gateway/sessions');
    const form = await screen.findByRole('form', { name: 'Issue a session key' });
    return {
      user,
      form,
      label: () => field(form, /^Label/),
      cap: () => field(form, /^Cap/),
      budget: () => field(form, /^Daily budget/),
      submit: () => user.click(within(form).getByRole('button', { name: 'Issue session key' })),
    };
  };

  it('says what is missing or malformed, shows the cap as it will be saved, and sends nothing', async () => {
    const { user, form, label, cap, budget, submit } = await open(await signedInPerson(pages.tally));
    await submit();
    expect(fieldError(label())).toBe('Enter a label, such as the client it is for');
    expect(fieldError(cap())).toBe('Enter an amount');
    await waitFor(() => expect(document.activeElement).toBe(label()));
    await user.type(cap(), '0');
    expect(fieldError(cap())).toBe('Enter an amount above zero');
    await retype(user, cap(), '5,5');
    expect(fieldError(cap())).toBeNull();
    expect(within(form).getByText('It can spend at most 5.50 USDC in all.')).toBeTruthy();
    await user.type(budget(), '6');
    expect(fieldError(budget())).toBe('A daily budget above the cap never applies: make it at most the cap');
    await submit();
    expect(changesSent()).toEqual([]);
  });

  it('shows the token once, in a dialog only “I have stored it” closes, then lists the key without it', async () => {
    const person = await signedInPerson(pages.tally);
    const { user, label, cap, budget, submit } = await open(person);
    await user.type(label(), 'Claude Desktop');
    await user.type(cap(), '5,00');
    await user.type(budget(), '1');
    await submit();

    const dialog = await screen.findByRole('dialog', { name: 'Session key “Claude Desktop” issued' });
    const token = within(dialog).getByLabelText('Bearer token').textContent ?? '';
    expect(token).toMatch(/^tally_gs_[A-Za-z0-9_-]{20,}$/);
    await waitFor(() =>
      expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Copy the token' })),
    );
    expect(
      within(dialog).getByText(/It spends at most 5\.00 USDC, 1\.00 USDC in any 24 hours, until/),
    ).toBeTruthy();
    // The client's configuration, ready to paste, carries the token too.
    expect(within(dialog).getByLabelText('MCP client configuration').textContent).toContain(
      `"Authorization": "Bearer ${token}"`,
    );

    // Neither Esc nor a stray Enter closes it.
    await user.keyboard('{Escape}');
    await user.keyboard('{Enter}');
    expect(screen.getByRole('dialog', { name: 'Session key “Claude Desktop” issued' })).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    const [sent] = sentTo(pages, 'POST', '/api/gateway/grants').map((request) => request.body as Body);
    expect(sent).toMatchObject({ label: 'Claude Desktop', cap: '5000000', daily_budget: '1000000' });
    const expires = Date.parse(sent.expires_at) - Date.now();
    expect(expires).toBeGreaterThan(29 * 86_400_000);
    expect(expires).toBeLessThanOrEqual(30 * 86_400_000);

    const table = await screen.findByRole('table', { name: 'Session keys' });
    const row = within(table).getByRole('row', { name: /Claude Desktop/ });
    expect(within(row).getByText('0.00 USDC of 5.00 USDC')).toBeTruthy();
    expect(within(row).getByText('active')).toBeTruthy();
    expect(document.body.textContent).not.toContain(token);

    // The token works until the key is revoked, after a confirmation.
    await user.click(within(row).getByRole('button', { name: 'Revoke Claude Desktop' }));
    const confirm = await screen.findByRole('dialog', { name: 'Revoke “Claude Desktop”?' });
    await user.click(within(confirm).getByRole('button', { name: 'Revoke session key' }));
    await waitFor(() =>
      expect(within(screen.getByRole('table', { name: 'Session keys' })).getByText('revoked')).toBeTruthy(),
    );
    const grants = await read(await request(pages.tally, 'GET', '/api/gateway/grants', { as: person }));
    expect(grants.items.map((grant: Body) => [grant.label, grant.state])).toEqual([
      ['Claude Desktop', 'revoked'],
    ]);
  });

  it('puts the server’s refusal of a label next to it, keeping what was typed', async () => {
    const { user, form, label, cap, submit } = await open(await signedInPerson(pages.tally));
    await user.type(label(), 'Laptop\u0000');
    await user.type(cap(), '1');
    await submit();
    await waitFor(() => expect(fieldError(label())).toBe('Must not contain a NUL character.'));
    expect(formAlert(form)).toBeNull();
    expect(cap().value).toBe('1');
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('the withdraw form', () => {
  const wallet = () =>
    `0x${Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  const open = async (person: TestPerson) => {
    pages.signIn(person);
    const { user } = await pages.render('/gateway/withdraw');
    const form = await screen.findByRole('form', { name: 'Withdraw USDC' });
    return {
      user,
      form,
      amount: () => field(form, /^Amount/),
      to: () => field(form, /^Pay to/),
      submit: () => user.click(within(form).getByRole('button', { name: 'Withdraw' })),
    };
  };
  /** A person with 5 USDC of credits and a linked wallet. */
  const holder = async () => {
    const person = await signedInPerson(pages.tally);
    const address = wallet();
    await linkWallet(pages.tally, person.userId, address);
    await fundCredits(pages.tally, person.userId, 5_000_000n);
    return { person, address };
  };

  it('asks for a linked wallet first when there is none', async () => {
    pages.signIn(await signedInPerson(pages.tally));
    await pages.render('/gateway/withdraw');
    await screen.findByText('Link a wallet first');
    expect(screen.getByRole('link', { name: 'Open the Wallet page' }).getAttribute('href')).toBe('/wallet');
    expect(screen.queryByRole('form', { name: 'Withdraw USDC' })).toBeNull();
  });

  it('refuses what is missing, ambiguous, over-precise or above the balance, and sends nothing', async () => {
    const { person, address } = await holder();
    const { user, form, amount, to, submit } = await open(person);
    expect(to().value).toBe(address);
    await submit();
    expect(fieldError(amount())).toBe('Enter an amount');
    const cases: [string, string][] = [
      ['7', 'At most 5.00 USDC: what your balance has available'],
      ['5,000', '“5,000” could be 5000 or 5.000: write 5000 without a separator, or 5.0000 for decimals'],
      ['1.0000001', 'USDC has 6 decimals: use at most 6'],
      ['0', 'Enter an amount above zero'],
      ['-1', 'Enter an amount such as 12.50'],
    ];
    for (const [typed, message] of cases) {
      await retype(user, amount(), typed);
      expect(fieldError(amount())).toBe(message);
    }
    await retype(user, amount(), '4,5');
    expect(fieldError(amount())).toBeNull();
    expect(within(form).getByText('You withdraw 4.50 USDC, paid to the wallet below.')).toBeTruthy();
    await retype(user, amount(), '7');
    await submit();
    await waitFor(() => expect(document.activeElement).toBe(amount()));
    expect(changesSent()).toEqual([]);
  });

  it('puts the refusal of an amount spent meanwhile next to the amount, in USDC, and then withdraws what is left', async () => {
    const { person, address } = await holder();
    // USDC in the treasury, as deposits would have brought it, so Tally can pay withdrawals.
    const terms = await read(
      await request(pages.tally, 'GET', '/api/gateway/deposits/terms', { as: person }),
    );
    await ok(
      await request(pages.tally, 'POST', '/api/chain/faucet', {
        as: person,
        body: { address: terms.to, token: 'USDC', amount: '100000000' },
      }),
      202,
    );
    for (let round = 0; round < 4; round++) {
      pages.tally.clock.advance(2_000);
      await pages.tally.sender!.processDue();
    }
    const { user, form, amount, submit } = await open(person);
    // Another tab withdraws 4 of the 5 USDC meanwhile.
    await ok(
      await request(pages.tally, 'POST', '/api/gateway/withdrawals', {
        as: person,
        body: { amount: '4000000' },
      }),
      201,
    );
    await user.type(amount(), '3');
    await submit();
    await waitFor(() => expect(fieldError(amount())).toBe('You can withdraw at most 1.00 USDC now.'));
    expect(formAlert(form)).toBeNull();
    expect(amount().value).toBe('3');

    await retype(user, amount(), '1');
    await submit();
    const table = await screen.findByRole('table', { name: 'Withdrawals' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    const sent = sentTo(pages, 'POST', '/api/gateway/withdrawals');
    expect(sent.map((request) => request.body)).toEqual([
      { amount: '3000000', to: address },
      { amount: '1000000', to: address },
    ]);
    const balance = await read(await request(pages.tally, 'GET', '/api/gateway/balance', { as: person }));
    expect(balance).toMatchObject({ available: '0', held: '5000000' });
  });

  it('puts the refusal of a wallet unlinked meanwhile next to the wallet, keeping the amount', async () => {
    const { person, address } = await holder();
    const { user, form, amount, to, submit } = await open(person);
    await pages.tally.database.db.execute(sql`DELETE FROM core_wallets WHERE address = ${address}`);
    await user.type(amount(), '2');
    await submit();
    await waitFor(() =>
      expect(fieldError(to())).toBe(
        'Withdrawals go only to a wallet linked to your account: link it first (Wallet page).',
      ),
    );
    expect(formAlert(form)).toBeNull();
    expect(amount().value).toBe('2');
    expect(sentTo(pages, 'POST', '/api/gateway/withdrawals').map((sent) => sent.body)).toEqual([
      { amount: '2000000', to: address },
    ]);
    const balance = await read(await request(pages.tally, 'GET', '/api/gateway/balance', { as: person }));
    expect(balance).toMatchObject({ available: '5000000', held: '0' });
  });
});

describe('the KYC review', () => {
  const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(500, 0x20), Buffer.from('\n%%EOF\n')]);

  /** A PDF uploaded by `person`, as the KYC page uploads it (multipart), built by hand for Node's fetch. */
  async function uploadPdf(person: TestPerson, name: string): Promise<string> {
    const boundary = 'tally-test-boundary';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      PDF,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    // The page's environment puts jsdom's File where Node's was: the server checks for Node's.
    const pageFile = globalThis.File;
    globalThis.File = NodeFile as unknown as typeof File;
    try {
      const response = await pages.tally.http.request('/api/files', {
        method: 'POST',
        body,
        headers: {
          cookie: person.cookie,
          'x-requested-with': 'tally-web',
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
      });
      return (await ok(response, 201)).id;
    } finally {
      globalThis.File = pageFile;
    }
  }

  /** A provider whose passport waits for review. */
  async function submitted(): Promise<{ person: TestPerson; providerId: string }> {
    const person = await provider(fresh('Provider'));
    const fileId = await uploadPdf(person, 'passport.pdf');
    await ok(
      await request(pages.tally, 'POST', '/api/gateway/provider/kyc/documents', {
        as: person,
        body: { file_id: fileId, kind: 'identity' },
      }),
      200,
    );
    const done = await ok(
      await request(pages.tally, 'POST', '/api/gateway/provider/kyc/submit', { as: person }),
      200,
    );
    return { person, providerId: done.id };
  }

  const open = async (admin: TestPerson, providerId: string) => {
    pages.signIn(admin);
    const { user } = await pages.render(`/gateway/admin/providers/${providerId}`);
    const form = await screen.findByRole('form', { name: 'Review KYC' });
    return {
      user,
      form,
      note: () => field(form, /^Reason/),
      reject: () => user.click(within(form).getByRole('radio', { name: /^Reject/ })),
      submit: () =>
        user.click(within(form).getByRole('button', { name: /^(Reject KYC|Approve KYC|Record decision)$/ })),
    };
  };

  it('lists the documents with their links, and needs a reason to reject, sending nothing without one', async () => {
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    const { providerId } = await submitted();
    const { user, form, note, reject, submit } = await open(admin, providerId);
    const documents = screen.getByRole('table', { name: 'KYC documents' });
    const link = within(documents).getByRole('link', { name: 'passport.pdf' });
    expect(link.getAttribute('href')).toMatch(/^\/api\/files\/[0-9a-f-]{36}$/);

    await submit();
    expect(within(form).getByText('Choose to approve or to reject')).toBeTruthy();
    await reject();
    expect(within(form).getByRole('button', { name: 'Reject KYC' })).toBeTruthy();
    await submit();
    expect(fieldError(note())).toBe('Say why it is rejected, so the provider knows what to correct');
    await waitFor(() => expect(document.activeElement).toBe(note()));
    await user.type(note(), '   ');
    await submit();
    expect(fieldError(note())).toBe('Say why it is rejected, so the provider knows what to correct');
    expect(changesSent()).toEqual([]);
  });

  it('rejects with the reason, which the provider then reads on the KYC page', async () => {
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    const { person, providerId } = await submitted();
    const { user, note, reject, submit } = await open(admin, providerId);
    await reject();
    await user.type(note(), 'The passport is expired.');
    await submit();
    await waitFor(() =>
      expect(
        sentTo(pages, 'POST', `/api/gateway/providers/${providerId}/kyc`).map((sent) => sent.body),
      ).toEqual([{ decision: 'rejected', note: 'The passport is expired.' }]),
    );
    await screen.findByText('Rejected: the provider can correct the documents and submit them again.');
    expect(screen.queryByRole('form', { name: 'Review KYC' })).toBeNull();

    cleanup();
    pages.signIn(person);
    await pages.render('/gateway/provider/kyc');
    await screen.findByRole('heading', { level: 1, name: 'KYC' });
    // The heading comes first; the state once the provider's record has loaded.
    const state = await screen.findByRole('region', { name: 'State' });
    expect(within(state).getByRole('status').textContent).toMatch(
      /^Rejected .*: The passport is expired\. Upload corrected documents and submit again\.$/,
    );
    expect(await screen.findByRole('button', { name: 'Submit for review' })).toBeTruthy();
  });

  it('shows the 409 of a decision another administrator made meanwhile above the button', async () => {
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    const other = await signedInPerson(pages.tally, { isAdmin: true });
    const { providerId } = await submitted();
    const { user, form, note, reject, submit } = await open(admin, providerId);
    await ok(
      await request(pages.tally, 'POST', `/api/gateway/providers/${providerId}/kyc`, {
        as: other,
        body: { decision: 'approved' },
      }),
      200,
    );
    await reject();
    await user.type(note(), 'Blurred scan.');
    await submit();
    await waitFor(() => expect(formAlert(form)).toBe('The KYC is approved already.'));
    expect(note().value).toBe('Blurred scan.');
  });
});
