import { type Address, encodeFunctionData, getAddress, parseEther } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { type ChainRuntime, DEV_MNEMONIC, devChainControls, walletFor } from '../../chain/runtime';
import { cfaV1Abi, hostCallAbi } from '../../chain/superfluid/abi';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import type { Logger } from '../../core/log';
import { chainNow, criticalOf, isEmbeddedChain, lineContracts, liveAccounts, readAccounts } from './accounts';

/**
 * The embedded chain's liquidator. On a public chain, liquidators (Superfluid's sentinels, anyone
 * after the reward) delete a critical account's flows; nobody runs one on the embedded chain, so a
 * flow Tally failed to close would stream on from a negative balance for ever. There, and only
 * there, Tally plays that part from a development key of its own, so the liquidated path
 * (`FlowUpdatedExtension` naming someone else, state `liquidated`, no grace) happens on a laptop as
 * on a public chain. On a configured chain `devLiquidator` gives nothing: Tally never liquidates
 * its own subscribers where real money flows.
 */

/**
 * The key: anvil's development mnemonic at index 10, past the ten accounts offered to people trying
 * Tally out, so its transactions never take a nonce a person's wallet counts on.
 */
const LIQUIDATOR_INDEX = 10;
const GAS_MONEY = parseEther('100');

export interface LiquidatorDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  chain: ChainRuntime;
}

export interface LiquidationPass {
  /** Flows deleted, each a liquidation on chain. */
  liquidated: number;
  /** Deletes the chain refused (the account was topped up, or the flow was gone already). */
  refused: number;
}

export interface Liquidator {
  address: Address;
  liquidateCriticalFlows(): Promise<LiquidationPass>;
}

/** The liquidator on the embedded development chain; null on any configured chain. */
export function devLiquidator(deps: LiquidatorDeps): Liquidator | null {
  const { chain } = deps;
  if (!isEmbeddedChain(chain)) return null;
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: LIQUIDATOR_INDEX });
  const wallet = walletFor(chain.client, account);
  const { publicClient } = chain.client;

  async function ensureGasMoney(): Promise<void> {
    if ((await publicClient.getBalance({ address: account.address })) >= GAS_MONEY / 2n) return;
    await devChainControls(chain.client).setBalance({ address: account.address, value: GAS_MONEY });
  }

  return {
    address: account.address,
    async liquidateCriticalFlows() {
      const pass: LiquidationPass = { liquidated: 0, refused: 0 };
      const accounts = await liveAccounts(deps.db);
      if (accounts.length === 0) return pass;
      const read = await readAccounts(chain, accounts, 250);
      // Anvil mines at the wall clock's second: a position read at an idle chain's old head is
      // projected to now, as the deleting transaction's block will see it.
      const now = chainNow(deps.clock, read.timestamp);
      const contracts = await lineContracts(chain);
      for (const [index, subscriber] of accounts.entries()) {
        const position = read.positions[index];
        const criticalAt = position ? criticalOf(position) : null;
        if (criticalAt === null || criticalAt > now) continue;
        const { host, cfa, superToken } = contracts.get(subscriber.token)!;
        for (const receiver of new Set(subscriber.subscriptions.map((s) => s.receiverAddress))) {
          await ensureGasMoney();
          try {
            const hash = await wallet.sendTransaction({
              to: host,
              data: encodeFunctionData({
                abi: hostCallAbi,
                functionName: 'callAgreement',
                args: [
                  cfa,
                  encodeFunctionData({
                    abi: cfaV1Abi,
                    functionName: 'deleteFlow',
                    args: [superToken, getAddress(subscriber.subscriber), getAddress(receiver), '0x'],
                  }),
                  '0x',
                ],
              }),
            });
            const receipt = await publicClient.waitForTransactionReceipt({ hash });
            if (receipt.status === 'success') pass.liquidated++;
            else pass.refused++;
          } catch (error) {
            pass.refused++;
            deps.log.info(
              { err: error, subscriber: subscriber.subscriber, receiver },
              'the development liquidator could not delete a flow',
            );
          }
        }
      }
      return pass;
    },
  };
}
