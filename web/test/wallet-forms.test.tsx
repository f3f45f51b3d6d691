import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/core/database';
import { read, request, signedInPerson, type TestPerson } from '../../test/support/app';
import { newQueryClient } from '../src/api/queryClient';
import type { ChainInfo } from '../src/api/types';
import { AppProviders } from '../src/app/App';
import { LogInPage } from '../src/pages/auth/LogInPage';
import { FaucetSection } from '../src/pages/wallet/FaucetSection';
import { RequireSignIn } from '../src/session/RequireSignIn';
import { SessionEndedRedirect } from '../src/session/SessionEndedRedirect';
import { field, fieldError, formAlert, sentTo, tallyPages } from './support/pages';
import { keptDraft, sentToLogIn } from './support/session-ended';

const pages = tallyPages({ chain: true });
let info: ChainInfo;

beforeAll(async () => {
  info = await read(await request(pages.tally, 'GET', '/api/chain'));
});

/** What the faucet queued for an address: the amounts it mints or sends, in minor units. */
const mintedTo = async (address: string) =>
  (
    await queryRows<{ amount: string }>(
      pages.tally.database.db,
      sql`SELECT metadata->>'amount' AS amount FROM chain_outgoing_transactions
          WHERE purpose = 'faucet' AND metadata->>'recipient' = ${address} ORDER BY (metadata->>'amount')::numeric`,
    )
  ).map((row) => row.amount);

/**
 * The faucet's form for a new wallet, as the wallet page shows it to `person` (without the rest of
 * the page, which needs a wallet), and the log-in a session that ends leads to.
 */
async function open(person: TestPerson) {
  const address = privateKeyToAccount(generatePrivateKey()).address;
  pages.signIn(person);
  pages.sent.length = 0;
  const router = createMemoryRouter(
    [
      {
        path: '/wallet',
        element: (
          <>
            <SessionEndedRedirect />
            <RequireSignIn>
              <FaucetSection address={address} tokens={info.tokens} faucet={info.faucet!} />
            </RequireSignIn>
          </>
        ),
      },
      { path: '/login', element: <LogInPage /> },
    ],
    { initialEntries: ['/wallet'] },
  );
  render(
    <AppProviders client={newQueryClient()}>
      <RouterProvider router={router} />
    </AppProviders>,
  );
  const form = await screen.findByRole('form', { name: 'Get test tokens' });
  const user = userEvent.setup();
  const amount = () => field(form, /^Amount/);
  const submit = () => user.click(within(form).getByRole('button', { name: 'Get test tokens' }));
  return { address, form, user, amount, submit };
}

describe('the faucet form', () => {
  it('offers the default amount, says what is missing, malformed or above the most, and sends nothing', async () => {
    const person = await signedInPerson(pages.tally);
    const { address, user, amount, submit } = await open(person);
    const usdc = info.faucet!.tokens.find((t) => t.symbol === 'USDC')!;
    const whole = (minor: string) => BigInt(minor) / 10n ** 6n;
    expect(amount().value).toBe(whole(usdc.default_amount).toLocaleString('en-US'));
    const most = whole(usdc.max_amount);

    const cases: [string, string][] = [
      ['', 'Enter an amount'],
      ['0', 'Enter an amount above zero'],
      ['1.0000001', expect.stringMatching(/decimal/i) as unknown as string],
      [String(most + 1n), `The faucet gives at most ${most.toLocaleString('en-US')} USDC`],
    ];
    for (const [typed, message] of cases) {
      await user.clear(amount());
      if (typed) await user.type(amount(), typed);
      await submit();
      expect(fieldError(amount())).toEqual(message);
    }
    expect(sentTo(pages, 'POST', '/api/chain/faucet')).toEqual([]);
    expect(await mintedTo(address)).toEqual([]);
  });

  it('sends a person whose session ended meanwhile to log in again, keeping the amount', async () => {
    const person = await signedInPerson(pages.tally);
    const { address, user, amount, submit } = await open(person);
    await pages.tally.database.db.execute(
      sql`UPDATE core_sessions SET revoked_at = now() WHERE user_id = ${person.userId}`,
    );
    await user.clear(amount());
    await user.type(amount(), '12.5');
    await submit();
    await sentToLogIn('/wallet');
    expect(keptDraft('faucet')).toMatchObject({ amount: '12.5' });
    expect(await mintedTo(address)).toEqual([]);
  });

  it('shows the 429 once the account has used its requests of the day, and mints nothing more', async () => {
    const person = await signedInPerson(pages.tally);
    const { address, form, submit } = await open(person);
    const elsewhere = privateKeyToAccount(generatePrivateKey()).address;
    for (let i = 0; i < 10; i++) {
      const response = await request(pages.tally, 'POST', '/api/chain/faucet', {
        as: person,
        body: { address: elsewhere, token: 'USDC', amount: '1' },
      });
      expect(response.status).toBe(202);
    }
    await submit();
    await waitFor(() => expect(formAlert(form)).toMatch(/too many/i));
    expect(sentTo(pages, 'POST', '/api/chain/faucet')).toHaveLength(1);
    expect(await mintedTo(address)).toEqual([]);
  });

  it('sends whole tokens as minor units and lists what the faucet queued', async () => {
    const person = await signedInPerson(pages.tally);
    const { address, form, user, amount, submit } = await open(person);
    await user.clear(amount());
    await user.type(amount(), '12.5');
    expect(within(form).getByText(/You get 12\.50? USDC/)).toBeTruthy();
    await submit();
    const list = await screen.findByRole('region', { name: 'Faucet transactions' }, { timeout: 10_000 });
    expect(list).toBeTruthy();
    expect(sentTo(pages, 'POST', '/api/chain/faucet').map((sent) => sent.body)).toEqual([
      { address, token: 'USDC', amount: '12500000' },
    ]);
    // The new wallet has no ETH: the faucet sends 1 ETH for gas with the tokens.
    expect(await mintedTo(address)).toEqual(['12500000', '1000000000000000000']);
    expect(formAlert(form)).toBeNull();
  });
});
