import type { Page } from 'playwright-core';
import { type Address, type Hex, parseAbi } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { RunningTally, reachTally } from './server';

/**
 * The development wallet in a journey: the browser signs in with it, connects it on a page, and the
 * chain says how much USDC an address holds.
 */

const usdcAbi = parseAbi(['function balanceOf(address) view returns (uint256)']);

/** The test USDC `address` holds on the running Tally's chain, in micro-units. */
export const usdcOf = (server: RunningTally, address: Address) =>
  server.tally.context.chain!.client.publicClient.readContract({
    address: server.tally.context.chain!.deployment.tokens.USDC.address,
    abi: usdcAbi,
    functionName: 'balanceOf',
    args: [address],
  });

/** Signs in with the development wallet the browser makes, and says its address. */
export async function signInWithDevWallet(
  page: Page,
  { url, go }: Pick<ReturnType<typeof reachTally>, 'url' | 'go'>,
): Promise<Address> {
  await go(page, '/login/wallet');
  await page.getByRole('button', { name: 'Sign in with the development wallet' }).click();
  await page.waitForURL(url('/'));
  const key = (await page.evaluate(() => localStorage.getItem('tally.devWallet.privateKey'))) as Hex;
  return privateKeyToAccount(key).address;
}

/** Connects the development wallet in the page's wallet section, unless it is connected already. */
export async function connectDevWallet(page: Page): Promise<void> {
  const connect = page.getByRole('button', { name: 'Connect the development wallet' });
  await page.getByLabel('Connected address').or(connect).first().waitFor();
  if (await connect.isVisible()) await connect.click();
  await page.getByLabel('Connected address').waitFor();
}
