import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { balanceKeyMessage, keyPairFromSignature } from '../../src/chain/zk/elgamal';
import { auditEncryptedBalances } from '../../src/gateway/encrypted/audit';
import {
  encryptedAccountOf,
  ensureEncryptedAccount,
  GATEWAY_ACCOUNTS,
  USDC_LEDGER,
} from '../../src/gateway/ledger';
import { gatewayDeps } from '../../src/gateway/line';
import { applyTransfers } from '../../src/ledger/engine';
import { type Body, read, request, signedInPerson, type TestPerson } from '../../test/support/app';
import { encryptedStage } from './support/encrypted';
import { formAlert, sentTo } from './support/pages';

const { pages, wallet, settle, connectWallet } = encryptedStage();

/** A signed-in provider with approved KYC, paid to `payout`. */
async function provider(payout: string): Promise<{ person: TestPerson; id: string }> {
  const person = await signedInPerson(pages.tally);
  const made = await request(pages.tally, 'POST', '/api/gateway/provider', {
    as: person,
    body: { name: 'Private tools', payout_address: payout },
  });
  expect(made.status).toBe(201);
  const { id } = await read(made);
  await pages.tally.database.db.execute(
    sql`UPDATE gateway_providers SET kyc_state = 'approved' WHERE id = ${id}`,
  );
  return { person, id };
}

/** The encrypted payouts page, with the development wallet connected. */
async function open(person: TestPerson): Promise<{ user: UserEvent; panel: HTMLElement }> {
  pages.signIn(person);
  const { user } = await pages.render('/gateway/provider/encrypted');
  await screen.findByRole('heading', { level: 1, name: 'Encrypted payouts' });
  await connectWallet(user);
  return { user, panel: screen.getByRole('region', { name: 'Encrypted account' }) };
}

const button = (panel: HTMLElement, name: string) =>
  within(panel).getByRole('button', { name }) as HTMLButtonElement;

describe('the encrypted account panel', () => {
  it('says what an encrypted account is, and that only the payout wallet can create it', async () => {
    const { person } = await provider('0x70997970c51812dc3a010c7d01b50e0d17dc79c8');
    const { panel } = await open(person);
    expect(within(panel).getByText(/nobody but you and Tally can read the amounts/)).toBeTruthy();
    expect(within(panel).getByText(/Tally pays the gas/)).toBeTruthy();
    const create = button(panel, 'Create my encrypted account');
    expect(create.hasAttribute('disabled')).toBe(true);
    expect(
      within(panel).getByText(
        `The connected wallet is ${wallet.address}, not your payout address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8: connect the payout wallet, which alone signs for your encrypted account.`,
      ),
    ).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Claims' })).getByText('No claim yet')).toBeTruthy();
  });

  it('shows the API’s refusal, in its words, when the payout address changed meanwhile', async () => {
    const moved = await provider(wallet.address);
    const { user, panel } = await open(moved.person);
    await pages.tally.database.db.execute(
      sql`UPDATE gateway_providers SET payout_address = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' WHERE id = ${moved.id}`,
    );
    await user.click(button(panel, 'Create my encrypted account'));
    await waitFor(() => expect(formAlert(panel)).toMatch(/^Register the key from your payout address.*\.$/));
    expect(button(panel, 'Create my encrypted account').hasAttribute('disabled')).toBe(false);
    const after: Body = await read(
      await request(pages.tally, 'GET', '/api/gateway/provider/encrypted', { as: moved.person }),
    );
    expect(after.account).toBeNull();
  });

  let alpha: { person: TestPerson; id: string };
  it('creates the account from two signatures of the payout wallet, and follows it until registered', async () => {
    alpha = await provider(wallet.address);
    const { user, panel } = await open(alpha.person);
    expect(within(panel).getByText(/You have no encrypted account yet/)).toBeTruthy();
    await user.click(button(panel, 'Create my encrypted account'));
    await within(panel).findByText('registering', { exact: true });

    // The key is the one the wallet's signature of the key message gives; the page sent no secret.
    const key = keyPairFromSignature(await wallet.signMessage({ message: balanceKeyMessage }));
    const publicKey = { x: key.publicKey.x.toString(), y: key.publicKey.y.toString() };
    const [registration] = sentTo(pages, 'POST', '/api/gateway/provider/encrypted/key');
    expect(registration?.body).toMatchObject({ address: wallet.address, key: publicKey });
    expect(sentTo(pages, 'POST', '/api/gateway/provider/encrypted/registration')[0]?.body).toEqual({
      key: publicKey,
    });
    expect(JSON.stringify(pages.sent)).not.toContain(key.secret.toString());

    await settle();
    await within(panel).findByText('registered', { exact: true }, { timeout: 10_000 });
    expect(within(panel).queryByRole('button', { name: 'Create my encrypted account' })).toBeNull();
  });

  it('reads the balance in the page with the key, and says it matches the ledger; nothing to claim', async () => {
    const { user, panel } = await open(alpha.person);
    await user.click(button(panel, 'Show my balance'));
    await waitFor(() => expect(within(panel).getByTestId('encrypted-balance').textContent).toBe('0.00 USDC'));
    expect(within(panel).getByTestId('encrypted-balance-check').textContent).toBe(
      "This matches Tally's ledger (0.00 USDC).",
    );
    expect(button(panel, 'Claim to USDC').hasAttribute('disabled')).toBe(true);
    expect(
      within(panel).getByText('Nothing to claim: payouts land here after a settlement run.'),
    ).toBeTruthy();
    // The key read the balance in memory: no storage of the page holds it.
    const key = keyPairFromSignature(await wallet.signMessage({ message: balanceKeyMessage }));
    for (const storage of [window.localStorage, window.sessionStorage]) {
      for (let i = 0; i < storage.length; i++) {
        expect(storage.getItem(storage.key(i)!) ?? '').not.toContain(key.secret.toString());
      }
    }
  });

  it('says so when the chain holds another amount than the ledger, and claims nothing the key cannot read', async () => {
    // One micro-USDC more on the ledger than the chain holds, as a drift the audit would find.
    await ensureEncryptedAccount(pages.tally.database.db, pages.tally.clock, alpha.id);
    const [drift] = await applyTransfers(
      pages.tally.database.db,
      [
        {
          id: '7a1c0e52-3b94-4d1f-8a6e-2c5d9f0b4e71',
          debitAccountId: GATEWAY_ACCOUNTS.fees,
          creditAccountId: encryptedAccountOf(alpha.id),
          amount: 1n,
          ledger: USDC_LEDGER,
          code: 'test_drift',
        },
      ],
      { clock: pages.tally.clock },
    );
    expect(drift?.result).toBe('ok');
    const { user, panel } = await open(alpha.person);
    await user.click(button(panel, 'Show my balance'));
    await waitFor(
      () => expect(within(panel).getByTestId('encrypted-balance').textContent).toBe('0.00 USDC'),
      {
        timeout: 20_000,
      },
    );
    expect(within(panel).getByTestId('encrypted-balance-check').textContent).toBe(
      "Tally's ledger says 0.000001 USDC: the chain holds another amount for your key. A payout may still be on its way; look again in a minute.",
    );
    expect(button(panel, 'Claim to USDC').hasAttribute('disabled')).toBe(true);
    expect(within(panel).getByText('Nothing to claim: your encrypted balance is empty.')).toBeTruthy();
  }, 30_000);

  it('holds the claim while a payout into the account is landing, and says why', async () => {
    const db = pages.tally.database.db;
    const batchId = '3f0b6c1e-9a27-4d58-b1e3-6c40f2a98d15';
    await db.execute(
      sql`INSERT INTO gateway_encrypted_batches (id, total, state, created_at) VALUES (${batchId}, 5000, 'paying', now())`,
    );
    await db.execute(
      sql`INSERT INTO gateway_payouts (id, provider_id, amount, to_address, state, hold_id, batch_id, created_at)
          VALUES ('8d2e4a71-5c3b-4f09-9e6a-1b7f0c2d3e48', ${alpha.id}, 5000, ${wallet.address.toLowerCase()},
            'pending', '0c9a1f3e-7b25-4d86-a4e0-5f2b8c1d6e93', ${batchId}, now())`,
    );
    try {
      const { panel } = await open(alpha.person);
      expect(
        await within(panel).findByText(
          'A payout is landing in your account: claim once it has landed, in a minute or so.',
        ),
      ).toBeTruthy();
      expect(button(panel, 'Claim to USDC').hasAttribute('disabled')).toBe(true);
    } finally {
      await db.execute(sql`DELETE FROM gateway_payouts WHERE batch_id = ${batchId}`);
      await db.execute(sql`DELETE FROM gateway_encrypted_batches WHERE id = ${batchId}`);
    }
  });
});

describe('the encrypted balances audit', () => {
  it('lists the latest runs with what was checked and each mismatch’s address, expected and found', async () => {
    const deps = gatewayDeps(pages.tally.context);
    const audit = await auditEncryptedBalances(deps);
    expect(audit?.mismatches).toEqual([
      {
        address: wallet.address.toLowerCase(),
        providerId: expect.any(String),
        userId: null,
        expected: '1',
        found: '0',
      },
    ]);
    const admin = await signedInPerson(pages.tally, { isAdmin: true });
    pages.signIn(admin);
    await pages.render('/gateway/admin/settlements');
    const section = await screen.findByRole('region', { name: 'Encrypted balances audit' });
    await within(section).findByText(
      /^The latest audit, .+, found 1 balance that differs from the ledger\.$/,
    );
    const runs = within(section).getByRole('table', { name: 'Encrypted balances audits' });
    const row = within(runs).getAllByRole('row')[1]!;
    const cells = within(row).getAllByRole('cell');
    expect(cells[1]?.textContent).toBe(String(audit?.checked));
    expect(cells[2]?.textContent).toBe(String(audit?.skipped));
    const mismatches = within(row).getByRole('table', { name: /^Mismatches of the audit at / });
    expect(within(mismatches).getByText(wallet.address.toLowerCase())).toBeTruthy();
    expect(within(mismatches).getByText('provider payouts')).toBeTruthy();
    expect(within(mismatches).getByText('0.000001 USDC')).toBeTruthy();
    expect(within(mismatches).getByText('0.00 USDC')).toBeTruthy();
  });
});
