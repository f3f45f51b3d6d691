import { screen, waitFor } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, expect } from 'vitest';
import { installInputApis } from './credits-stage';
import { tallyPages } from './pages';

/**
 * The stage of the encrypted accounts' page tests (a provider's payouts, a person's private balance):
 * a Tally with a chain, the development wallet the browser holds, and the chain's confirmations on
 * Tally's clock. Call once per test file.
 */
export function encryptedStage() {
  // The registrations' and the deposits' transactions are sent and confirmed with Tally's clock: it starts at the page's.
  const pages = tallyPages({ chain: true, start: new Date().toISOString() });

  // The development wallet this browser holds, for the whole file: wagmi keeps its account once read.
  const walletKey: Hex = generatePrivateKey();
  const wallet = privateKeyToAccount(walletKey);

  beforeAll(async () => {
    installInputApis();
    window.localStorage.setItem('tally.devWallet.privateKey', walletKey);
    // The line's pages are a bundle of their own: loaded once here, not within the first test's wait.
    await import('../../src/lines/gateway/GatewayPages');
  });

  /** Lets the treasury's sender send and confirm until nothing changes: a few blocks. */
  async function settle(): Promise<void> {
    for (let round = 0; round < 6; round++) {
      pages.tally.clock.advance(2_000);
      await pages.tally.sender!.processDue();
      await pages.tally.follower!.poll();
      await pages.tally.context.flows.runDue();
    }
  }

  /** Connects the development wallet in the page's wallet section, unless it is connected already. */
  async function connectWallet(user: UserEvent): Promise<void> {
    await screen.findByRole('region', { name: 'Your wallet' });
    // The wallet section renders its button once it knows no wallet is connected: on a busy machine
    // that is after the section itself, so the button is waited for rather than looked for once.
    const connected = () => screen.queryByLabelText('Connected address');
    const connectButton = () => screen.queryByRole('button', { name: 'Connect the development wallet' });
    await waitFor(() => expect(connected() ?? connectButton()).toBeTruthy());
    const connect = connected() ? null : connectButton();
    if (connect) await user.click(connect);
    await waitFor(() => expect(connected()?.textContent).toBe(wallet.address));
  }

  return { pages, wallet, settle, connectWallet };
}
