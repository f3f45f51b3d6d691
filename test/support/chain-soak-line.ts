import { type Address, encodeFunctionData, parseAbiItem } from 'viem';
import * as TestUSDC from '../../src/chain/contracts/TestUSDC';
import { derivedUuid } from '../../src/chain/follower/events';
import { defineWatcher } from '../../src/chain/follower/follower';
import { estimateGasLimit, queueTransaction, type Settlement } from '../../src/chain/sender/sender';
import type { Clock } from '../../src/core/clock';
import type { Db } from '../../src/core/database';
import { databaseStep, defineFlow } from '../../src/core/flows';
import { applyTransfers } from '../../src/ledger/engine';
import { createAccounts, createLedger } from '../../src/ledger/service';
import { isSuccess } from '../../src/ledger/types';
import type { ChainLineContext, ProductLine } from '../../src/product-line';

/**
 * A product line as small as the chain soak needs, built the way a real line pays and is paid:
 * deposits to its addresses credit the ledger once per event (and are reversed if a reorg takes
 * them back); each payout takes its amount from the treasury account into "in flight" in the same
 * transaction that queues it, and its settlement moves it to "paid out" when confirmed, or back
 * when the transaction failed.
 */
export interface SoakSpec {
  usdc: Address;
  depositAddresses: Address[];
  payees: Address[];
  payoutAmount: string;
}

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

/** Fixed ids, so a restarted process finds the accounts the first one made. */
export const SOAK_ACCOUNTS = {
  chainInflow: '00000000-0000-4000-8000-00000000a001',
  deposits: '00000000-0000-4000-8000-00000000a002',
  treasury: '00000000-0000-4000-8000-00000000a003',
  inFlight: '00000000-0000-4000-8000-00000000a004',
  paidOut: '00000000-0000-4000-8000-00000000a005',
} as const;

export const PAYOUT_PURPOSE = 'soak_payout';

async function move(
  tx: Db,
  clock: Clock,
  id: string,
  from: string,
  to: string,
  amount: bigint,
  code: string,
): Promise<void> {
  const [outcome] = await applyTransfers(
    tx,
    [{ id, debitAccountId: from, creditAccountId: to, amount, ledger: 'USDC', code }],
    { clock },
  );
  // `exists` is the ledger's own guard answering a second run of the same step: the money moved once.
  if (!outcome || !isSuccess(outcome.result))
    throw new Error(`${code} ${id}: ${outcome?.result ?? 'no outcome'}`);
}

export function soakLine(spec: SoakSpec): ProductLine & { queuePayout(index: number): Promise<void> } {
  let context: ChainLineContext | undefined;
  const amount = BigInt(spec.payoutAmount);
  const ownAddresses = new Set(spec.depositAddresses.map((a) => a.toLowerCase()));

  const settle = defineFlow<Settlement>({
    name: 'soak.settle_payout',
    steps: [
      databaseStep('record', async (tx, { input }) => {
        const clock = context!.clock;
        if (input.state === 'confirmed') {
          await move(
            tx,
            clock,
            derivedUuid(input.transactionId, 'paid'),
            SOAK_ACCOUNTS.inFlight,
            SOAK_ACCOUNTS.paidOut,
            amount,
            'payout_paid',
          );
        } else {
          await move(
            tx,
            clock,
            derivedUuid(input.transactionId, 'returned'),
            SOAK_ACCOUNTS.inFlight,
            SOAK_ACCOUNTS.treasury,
            amount,
            'payout_returned',
          );
        }
        return null;
      }),
    ],
  });

  return {
    name: 'soak',
    label: 'Chain soak',
    async prepare({ db, clock }) {
      const deps = { db, clock };
      await createLedger(deps, { code: 'USDC', scale: 6 });
      await createAccounts(deps, [
        { id: SOAK_ACCOUNTS.chainInflow, ledger: 'USDC', code: 'chain_inflow' },
        { id: SOAK_ACCOUNTS.deposits, ledger: 'USDC', code: 'deposits' },
        { id: SOAK_ACCOUNTS.treasury, ledger: 'USDC', code: 'treasury' },
        { id: SOAK_ACCOUNTS.inFlight, ledger: 'USDC', code: 'payouts_in_flight' },
        { id: SOAK_ACCOUNTS.paidOut, ledger: 'USDC', code: 'payouts_paid' },
      ]);
    },
    watchers(chainContext) {
      context = chainContext;
      return [
        defineWatcher({
          name: 'soak.deposits',
          address: spec.usdc,
          event: transferEvent,
          async onConfirmed(tx, event) {
            if (!ownAddresses.has(event.args.to.toLowerCase())) return;
            const id = derivedUuid(event.id, 'credit');
            await move(
              tx,
              chainContext.clock,
              id,
              SOAK_ACCOUNTS.chainInflow,
              SOAK_ACCOUNTS.deposits,
              event.args.value,
              'deposit',
            );
          },
          async onOrphaned(tx, event) {
            if (!ownAddresses.has(event.args.to.toLowerCase())) return;
            const id = derivedUuid(event.id, 'reversal');
            await move(
              tx,
              chainContext.clock,
              id,
              SOAK_ACCOUNTS.deposits,
              SOAK_ACCOUNTS.chainInflow,
              event.args.value,
              'deposit_reversal',
            );
          },
        }),
      ];
    },
    settlements() {
      return { [PAYOUT_PURPOSE]: settle };
    },
    /** Queues payout `index` once, whatever happens around it: a second call finds the first. */
    async queuePayout(index: number) {
      const chain = context!.chain;
      const payee = spec.payees[index]!;
      const data = encodeFunctionData({ abi: TestUSDC.abi, functionName: 'transfer', args: [payee, amount] });
      const from = chain.treasury.address;
      const gasLimit = await estimateGasLimit(
        chain.client,
        { from, to: spec.usdc, data },
        { maxGasLimit: chain.settings.maxGasLimit },
      );
      const key = `soak-payout-${index}`;
      await context!.db.transaction(async (tx) => {
        await move(
          tx,
          context!.clock,
          derivedUuid(key, 'reserve'),
          SOAK_ACCOUNTS.treasury,
          SOAK_ACCOUNTS.inFlight,
          amount,
          'payout_reserved',
        );
        await queueTransaction(tx, context!.clock, {
          chainId: chain.client.chain.id,
          from,
          to: spec.usdc,
          data,
          gasLimit,
          purpose: PAYOUT_PURPOSE,
          idempotencyKey: key,
        });
      });
    },
  };
}
