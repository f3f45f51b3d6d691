import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { balanceKeyMessage, keyPairFromSignature } from '../../src/chain/zk/elgamal';
import { type Body, read, request, signedInPerson, type TestPerson } from '../../test/support/app';
import { linkWallet } from '../../test/support/gateway';
import { encryptedStage } from './support/encrypted';
import { formAlert, sentTo } from './support/pages';

const { pages, wallet, settle, connectWallet } = encryptedStage();

/** The deposit page, with the development wallet connected. */
async function open(person: TestPerson): Promise<{ user: UserEvent; form: HTMLElement }> {
  pages.signIn(person);
  const { user } = await pages.render('/gateway/deposit');
  await screen.findByRole('heading', { level: 1, name: 'Deposit' });
  await connectWallet(user);
  return { user, form: await screen.findByRole('form', { name: 'Deposit USDC' }) };
}

const privatePanel = () => screen.getByRole('region', { name: 'Private balance on chain' });

const button = (panel: HTMLElement, name: string) =>
  within(panel).getByRole('button', { name }) as HTMLButtonElement;

/** Signs a deposit of `amount` in the form and waits until Tally took it. */
async function deposit(user: UserEvent, form: HTMLElement, amount: string): Promise<void> {
  await waitFor(() => expect(within(form).getByText(/^Your wallet holds \d/)).toBeTruthy());
  await user.type(within(form).getByLabelText(/Amount/), amount);
  await user.click(button(form, 'Sign and deposit'));
  await screen.findByRole('region', { name: 'Deposit on its way' });
}

describe('the private balance on the deposit page', () => {
  it('is hidden, and every deposit plain, on a chain without encrypted credits', async () => {
    const deployment = pages.tally.context.chain!.deployment as { encryptedCredits?: unknown };
    const deployed = deployment.encryptedCredits;
    deployment.encryptedCredits = undefined;
    try {
      const person = await signedInPerson(pages.tally);
      const { form } = await open(person);
      expect(screen.queryByRole('region', { name: 'Private balance on chain' })).toBeNull();
      expect(within(form).queryByRole('switch', { name: 'Deposit to my private balance' })).toBeNull();
      expect(within(form).queryByTestId('deposit-destination')).toBeNull();
    } finally {
      deployment.encryptedCredits = deployed;
    }
  });

  let person: TestPerson;
  it('says what a private balance is, and shows the API’s refusal when the wallet was unlinked meanwhile', async () => {
    person = await signedInPerson(pages.tally);
    await linkWallet(pages.tally, person.userId, wallet.address);
    const { user } = await open(person);
    const panel = privatePanel();
    expect(within(panel).getByText(/Your deposit itself is still public on chain/)).toBeTruthy();
    expect(within(panel).getByText(/only you and Tally can read them/)).toBeTruthy();
    expect(within(panel).getByText(/You have no private balance yet/)).toBeTruthy();

    await pages.tally.database.db.execute(
      sql`DELETE FROM core_wallets WHERE address = ${wallet.address.toLowerCase()}`,
    );
    await user.click(button(panel, 'Set up my private balance'));
    await waitFor(() =>
      expect(formAlert(panel)).toMatch(/^Register the key from a wallet linked to your account.*\./),
    );
    expect(button(panel, 'Set up my private balance').hasAttribute('disabled')).toBe(false);
    const after: Body = await read(
      await request(pages.tally, 'GET', '/api/gateway/encrypted', { as: person }),
    );
    expect(after.account).toBeNull();
    await linkWallet(pages.tally, person.userId, wallet.address);
  });

  it('sets it up from two signatures of the connected wallet, shows it pending, and follows it until active', async () => {
    const { user } = await open(person);
    const panel = privatePanel();
    await user.click(button(panel, 'Set up my private balance'));
    await within(panel).findByText('registering', { exact: true });
    expect(within(panel).getByRole('status').textContent).toBe(
      'Your private balance is being set up on chain: it becomes active once the chain confirms it. This page follows it.',
    );
    expect(within(panel).getByText(wallet.address)).toBeTruthy();

    // The key is the one the wallet's signature of the key message gives; the page sent no secret.
    const key = keyPairFromSignature(await wallet.signMessage({ message: balanceKeyMessage }));
    const publicKey = { x: key.publicKey.x.toString(), y: key.publicKey.y.toString() };
    expect(sentTo(pages, 'POST', '/api/gateway/encrypted/registration').map((r) => r.body)).toEqual([
      { address: wallet.address, key: publicKey },
    ]);
    const registrations = sentTo(pages, 'POST', '/api/gateway/encrypted/key');
    expect(registrations).toHaveLength(1);
    expect(registrations[0]?.body).toEqual({
      address: wallet.address,
      key: publicKey,
      signature: expect.stringMatching(/^0x[0-9a-f]+$/),
    });
    expect(JSON.stringify(pages.sent)).not.toContain(key.secret.toString());
    // Until it is active, a deposit is plain.
    expect(screen.queryByRole('switch', { name: 'Deposit to my private balance' })).toBeNull();

    await settle();
    await within(panel).findByText('registered', { exact: true }, { timeout: 10_000 });
    expect(within(panel).queryByRole('button', { name: 'Set up my private balance' })).toBeNull();
    // The terms now name the private balance: the form offers it, switched on.
    const toggle = (await screen.findByRole('switch', {
      name: 'Deposit to my private balance',
    })) as HTMLInputElement;
    expect(toggle.checked).toBe(true);
  });

  let contract: string;
  it('deposits to the private balance: the wallet signs to the encrypted credits contract and the page posts it as `to`', async () => {
    const terms: Body = await read(
      await request(pages.tally, 'GET', '/api/gateway/deposits/terms', { as: person }),
    );
    expect(terms.encrypted).toEqual({ to: expect.any(String), account: wallet.address });
    contract = terms.encrypted.to;
    const minted = await request(pages.tally, 'POST', '/api/chain/faucet', {
      as: person,
      body: { address: wallet.address, token: 'USDC', amount: '100000000' },
    });
    expect(minted.status).toBe(202);
    await settle();

    const { user, form } = await open(person);
    expect(within(form).getByTestId('deposit-destination').textContent).toMatch(
      /^This deposit goes to your private balance/,
    );
    await deposit(user, form, '2,50');
    const [sent] = sentTo(pages, 'POST', '/api/gateway/deposits');
    expect(sent?.body).toMatchObject({
      kind: 'receive',
      from: wallet.address,
      value: '2500000',
      to: contract,
    });
    await settle();
    const followed = screen.getByRole('region', { name: 'Deposit on its way' });
    await within(followed).findByText('credits_issued', { exact: true }, { timeout: 10_000 });
    const table = await screen.findByRole('table', { name: 'Deposits' });
    await within(table).findByText('Private');
  }, 30_000);

  it('shows the balance read in the page with the key the wallet signs, equal to the deposit', async () => {
    const { user } = await open(person);
    const panel = privatePanel();
    expect(within(panel).getByText(wallet.address)).toBeTruthy();
    await user.click(button(panel, 'Show balance'));
    await waitFor(() => expect(within(panel).getByTestId('private-balance').textContent).toBe('2.50 USDC'));
    expect(within(panel).getByTestId('private-balance-check').textContent).toBe(
      "This matches Tally's record (2.50 USDC).",
    );
    expect(within(panel).getByTestId('private-unswept').textContent).toBe(
      'Nothing spent since the last daily settlement: what you spend leaves the chain balance at the next settlement.',
    );
  });

  it('deposits plainly, without `to`, when the person switches the private balance off', async () => {
    const { user, form } = await open(person);
    await user.click(within(form).getByRole('switch', { name: 'Deposit to my private balance' }));
    expect(within(form).getByTestId('deposit-destination').textContent).toMatch(/^This is a plain deposit/);
    await deposit(user, form, '1');
    const [sent] = sentTo(pages, 'POST', '/api/gateway/deposits');
    expect(sent?.body).toMatchObject({ kind: 'receive', from: wallet.address, value: '1000000' });
    expect(sent?.body).not.toHaveProperty('to');
    await settle();
    const deposits: Body = await read(
      await request(pages.tally, 'GET', '/api/gateway/deposits', { as: person }),
    );
    expect(deposits.items.map((d: Body) => [d.amount, d.encrypted])).toEqual(
      expect.arrayContaining([
        ['2500000', true],
        ['1000000', false],
      ]),
    );
  }, 30_000);
});
