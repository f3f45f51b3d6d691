import { type Hex, hexToBytes, type TransactionReceipt } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createChainClient } from '../src/chain/client';
import { DEV_CHAIN_ID, startDevChain } from '../src/chain/dev-chain';
import { deployDevelopmentChain, devAccounts, devChainControls, walletFor } from '../src/chain/runtime';
import { newId } from '../src/core/ids';
import { type ChainCall, sendCall } from '../src/streams/chain/call';
import {
  type CheckoutOutcome,
  type CheckoutTerms,
  executeCheckout,
  executeCheckoutSteps,
  planCheckout,
} from '../src/streams/chain/checkout';
import { resolveStreamContracts, type StreamContracts } from '../src/streams/chain/contracts';
import { flowReference } from '../src/streams/chain/flow-reference';
import { prepareFlowCreate, prepareFlowDelete, prepareFlowUpdate } from '../src/streams/chain/operator';
import { isInterrupted, registerCleanup } from './support/cleanup';

/**
 * Gas of a streams checkout and of the operator's later changes, on a fresh embedded chain (anvil
 * with Superfluid 1.15.2 deployed as `npm start` deploys it), beside Sablier Flow's published
 * benchmark (its table for a 6-decimal asset).
 *
 *   npm run bench:streams-gas
 *
 * Every row uses a subscriber and a receiver no earlier row touched, so each pays for its first
 * storage writes as a real first checkout does. "tx gas" is the receipts' gasUsed; Sablier measures
 * inside the call (no 21 000 base, no calldata), so "execution" takes both out of ours to compare.
 */

const SABLIER_FLOW = { create: 115_360n, adjustRatePerSecond: 43_745n, pause: 43_076n } as const;
/** 10 DAI (or USDC) a month of 30 days. */
const FLOW_RATE = 3_858_024_691_358n;
const A_MONTH = 30n * 86_400n;
const A_DAY = 86_400n;
/** EIP-2028: the intrinsic cost of a transaction and of its calldata bytes. */
const BASE_GAS = 21_000n;

interface Row {
  action: string;
  transactions: number;
  signatures: number;
  gas: bigint;
  execution: bigint;
  reference: string;
}

async function main(): Promise<void> {
  const devChain = await startDevChain();
  const stopChain = registerCleanup(() => devChain.stop());
  try {
    const client = createChainClient({ rpcUrl: devChain.rpcUrl, chainId: DEV_CHAIN_ID, dev: true });
    const treasuryAccount = privateKeyToAccount(generatePrivateKey());
    const deployment = await deployDevelopmentChain(client, treasuryAccount);
    const { publicClient } = client;
    const controls = devChainControls(client);
    const accounts = devAccounts();
    const wallet = (index: number) => walletFor(client, accounts[index]!);
    const treasury = walletFor(client, treasuryAccount);
    const daix = await resolveStreamContracts(publicClient, deployment, 'DAIx');
    const usdcx = await resolveStreamContracts(publicClient, deployment, 'USDCx');

    const terms = (
      subscriber: number,
      receiver: number,
      extra: Partial<CheckoutTerms> = {},
    ): CheckoutTerms => ({
      subscriber: accounts[subscriber]!.address,
      receiver: accounts[receiver]!.address,
      flowRate: FLOW_RATE,
      operator: treasuryAccount.address,
      checkoutId: newId(),
      prepaidSeconds: A_MONTH,
      ...extra,
    });
    const execution = async (receipts: TransactionReceipt[]): Promise<bigint> => {
      let total = 0n;
      for (const receipt of receipts) {
        const { input } = await publicClient.getTransaction({ hash: receipt.transactionHash });
        total += receipt.gasUsed - BASE_GAS - calldataGas(input);
      }
      return total;
    };
    const rows: Row[] = [];
    const checkoutRow = async (action: string, outcome: CheckoutOutcome, reference: string) => {
      rows.push({
        action,
        transactions: outcome.receipts.length,
        signatures: outcome.signatures,
        gas: outcome.receipts.reduce((sum, receipt) => sum + receipt.gasUsed, 0n),
        execution: await execution(outcome.receipts),
        reference,
      });
    };
    const operatorRow = async (action: string, at: bigint, call: ChainCall, reference: string) => {
      await controls.setNextBlockTimestamp({ timestamp: at });
      const receipt = await sendCall(publicClient, treasury, call);
      rows.push({
        action,
        transactions: 1,
        signatures: 0,
        gas: receipt.gasUsed,
        execution: await execution([receipt]),
        reference,
      });
    };
    const checkout = async (contracts: StreamContracts, subscriber: number, checkoutTerms: CheckoutTerms) =>
      executeCheckout(
        publicClient,
        wallet(subscriber),
        await planCheckout(publicClient, contracts, checkoutTerms),
      );

    const createReference = `create ${format(SABLIER_FLOW.create)} (no tokens moved)`;
    const daiCheckout = terms(1, 2);
    const daiOutcome = await checkout(daix, 1, daiCheckout);
    await checkoutRow('checkout DAI: permit + 1 batch', daiOutcome, createReference);
    await checkoutRow(
      'checkout USDC: permit + 1 batch',
      await checkout(usdcx, 3, terms(3, 4)),
      createReference,
    );
    const withoutPermit = { ...(await planCheckout(publicClient, daix, terms(5, 6))), permit: null };
    await checkoutRow(
      'checkout, token without permit',
      await executeCheckout(publicClient, wallet(5), withoutPermit),
      createReference,
    );
    const stepByStep = await executeCheckoutSteps(
      publicClient,
      wallet(7),
      await planCheckout(publicClient, daix, terms(7, 8)),
    );
    await checkoutRow('checkout, one tx per step', stepByStep, createReference);
    await checkoutRow(
      '  of which the flow alone',
      { receipts: [stepByStep.receipts[2]!], signatures: 0 },
      createReference,
    );

    const createdAt = (await publicClient.getBlock({ blockNumber: daiOutcome.receipts[0]!.blockNumber }))
      .timestamp;
    const flow = {
      operator: treasuryAccount.address,
      sender: daiCheckout.subscriber,
      receiver: daiCheckout.receiver,
    };
    await operatorRow(
      'plan change (operator update)',
      createdAt + A_DAY,
      await prepareFlowUpdate(publicClient, daix, { ...flow, flowRate: 2n * FLOW_RATE }),
      `adjustRatePerSecond ${format(SABLIER_FLOW.adjustRatePerSecond)}`,
    );
    await operatorRow(
      'close (operator delete)',
      createdAt + 2n * A_DAY,
      await prepareFlowDelete(publicClient, daix, flow),
      `pause ${format(SABLIER_FLOW.pause)}`,
    );

    const vesting = terms(9, 0, { flowStart: 'operator' });
    await checkout(daix, 9, vesting);
    const cliff = (await publicClient.getBlock()).timestamp + 7n * A_DAY;
    await operatorRow(
      'vesting start (operator create)',
      cliff,
      await prepareFlowCreate(publicClient, daix, {
        operator: treasuryAccount.address,
        sender: vesting.subscriber,
        receiver: vesting.receiver,
        flowRate: FLOW_RATE,
        userData: flowReference(vesting.checkoutId),
      }),
      createReference,
    );

    console.log(
      'Tally streams gas on the embedded chain (anvil, Superfluid 1.15.2, DAIx and USDCx), ' +
        'each row a subscriber and receiver of its own.\n',
    );
    console.log(formatRows(rows));
    console.log(
      '\nReference: Sablier Flow, published benchmark for a 6-decimal asset, gas measured inside the call: ' +
        `create ${format(SABLIER_FLOW.create)}, adjustRatePerSecond ${format(SABLIER_FLOW.adjustRatePerSecond)}, ` +
        `pause ${format(SABLIER_FLOW.pause)}. A Sablier create moves no tokens; a Tally checkout also wraps the ` +
        'subscriber’s tokens, locks the buffer and grants the operator, and a close returns the buffer.',
    );
  } finally {
    await stopChain();
  }
}

/** EIP-2028: 4 gas per zero byte of calldata, 16 per other byte. */
function calldataGas(input: Hex): bigint {
  let gas = 0n;
  for (const byte of hexToBytes(input)) gas += byte === 0 ? 4n : 16n;
  return gas;
}

const COLUMNS = [
  { title: 'action', width: 32 },
  { title: 'txs', width: 3 },
  { title: 'sigs', width: 4 },
  { title: 'tx gas', width: 9 },
  { title: 'execution', width: 9 },
  { title: 'Sablier Flow', width: 0 },
] as const;

function formatRows(rows: readonly Row[]): string {
  const line = (cells: readonly string[]) =>
    COLUMNS.map((column, index) =>
      index === 0 || index === COLUMNS.length - 1
        ? cells[index]!.padEnd(column.width)
        : cells[index]!.padStart(column.width),
    )
      .join('  ')
      .trimEnd();
  const header = line(COLUMNS.map((column) => column.title));
  return [
    header,
    '-'.repeat(header.length + 30),
    ...rows.map((row) =>
      line([
        row.action,
        String(row.transactions),
        String(row.signatures),
        format(row.gas),
        format(row.execution),
        row.reference,
      ]),
    ),
  ].join('\n');
}

function format(value: bigint): string {
  return value.toLocaleString('en-US');
}

main().catch((error: unknown) => {
  if (isInterrupted()) return;
  console.error(error instanceof Error ? error.stack : String(error));
  process.exitCode = 1;
});
