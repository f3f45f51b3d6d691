import { and, eq, sql } from 'drizzle-orm';
import { type Address, getAddress, type Hex, isAddress, isHex } from 'viem';
import type { Clock } from '../../core/clock';
import { type Db, pgErrorCode, UNIQUE_VIOLATION, violatedConstraint } from '../../core/database';
import { AppError } from '../../core/errors';
import { newId } from '../../core/ids';
import type { ChainClient } from '../client';
import { outgoingTransactions, signers } from '../schema';
import { type OutgoingTransaction, toOutgoing } from './outgoing';

/**
 * Nonces are handed out by the database, not by the chain: `chain_signers.next_nonce` is read and
 * incremented under the signer row's lock, in the caller's transaction that records the outgoing
 * transaction. Two payouts (or two processes) therefore never take the same nonce, and a payout
 * that rolls back gives its nonce back, so none is ever skipped.
 */

export interface QueueTransactionInput {
  chainId: number;
  from: Address;
  to: Address;
  data?: Hex;
  value?: bigint;
  /** From `estimateGasLimit`, asked before the database transaction began. */
  gasLimit: bigint;
  /** What it is for ('payout', 'faucet', …), shown on the status page. */
  purpose: string;
  /** A second call with the same key returns the first transaction and takes no nonce. */
  idempotencyKey?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Records a transaction to send, with its nonce, inside the caller's transaction: it commits with
 * the change that causes it (a payout's ledger transfer), or not at all. It never touches the
 * network. It holds the signer's lock until the caller commits, so every other send from this
 * signer waits that long: call it last in the transaction, after the ledger's locks, which also
 * keeps the lock order the same everywhere.
 */
export async function queueTransaction(
  tx: Db,
  clock: Clock,
  input: QueueTransactionInput,
): Promise<OutgoingTransaction> {
  const from = checkedAddress(input.from, 'from');
  const to = checkedAddress(input.to, 'to');
  const data = input.data ?? '0x';
  const value = input.value ?? 0n;
  if (!isHex(data, { strict: true }) || data.length % 2 !== 0) {
    throw new AppError('validation_failed', 'data must be 0x-prefixed hex bytes', { field: 'data' });
  }
  if (value < 0n) throw new AppError('validation_failed', 'value must not be negative', { field: 'value' });
  if (input.gasLimit <= 0n)
    throw new AppError('validation_failed', 'gasLimit must be positive', { field: 'gasLimit' });
  if (input.purpose.trim() === '') {
    throw new AppError('validation_failed', 'purpose must not be empty', { field: 'purpose' });
  }
  // The sender fills a nonce it cannot use with an empty transaction to itself; refusing such
  // transactions here keeps "the filler was mined" and "the transaction was mined" apart.
  if (to === from) {
    throw new AppError('validation_failed', 'a transaction to its own sender does nothing', { field: 'to' });
  }

  const signerKey = and(eq(signers.chainId, input.chainId), eq(signers.address, from));
  const [signer] = await tx
    .select({ nextNonce: signers.nextNonce })
    .from(signers)
    .where(signerKey)
    .for('update');
  if (!signer) {
    throw new AppError('unavailable', `${from} is not prepared to send on chain ${input.chainId}`, {
      chainId: input.chainId,
      from,
    });
  }
  // Looked up under the signer's lock: a concurrent call with the same key has either committed
  // (and is found here) or is waiting behind us, so one key never takes two nonces.
  if (input.idempotencyKey !== undefined) {
    const [existing] = await tx
      .select()
      .from(outgoingTransactions)
      .where(
        and(
          eq(outgoingTransactions.chainId, input.chainId),
          eq(outgoingTransactions.idempotencyKey, input.idempotencyKey),
        ),
      );
    if (existing)
      return sameRequestOrConflict(toOutgoing(existing), { from, to, data, value, purpose: input.purpose });
  }

  const now = clock.now();
  await tx
    .update(signers)
    .set({ nextNonce: sql`${signers.nextNonce} + 1`, updatedAt: now })
    .where(signerKey);
  try {
    const [row] = await tx
      .insert(outgoingTransactions)
      .values({
        id: newId(),
        chainId: input.chainId,
        fromAddress: from,
        nonce: signer.nextNonce,
        toAddress: to,
        data,
        value: value.toString(),
        gasLimit: input.gasLimit.toString(),
        purpose: input.purpose,
        idempotencyKey: input.idempotencyKey ?? null,
        state: 'queued',
        hashes: [],
        attempts: 0,
        nextCheckAt: now,
        createdAt: now,
        metadata: input.metadata ?? {},
      })
      .returning();
    if (!row) throw new AppError('internal', 'the outgoing transaction was not recorded');
    return toOutgoing(row);
  } catch (error) {
    // A key reused from another signer: the same signer's calls were serialized by its lock above.
    if (pgErrorCode(error) === UNIQUE_VIOLATION && violatedConstraint(error) === IDEMPOTENCY_CONSTRAINT) {
      throw new AppError('idempotency_conflict', 'the idempotency key belongs to another transaction', {
        idempotencyKey: input.idempotencyKey,
      });
    }
    throw error;
  }
}

const IDEMPOTENCY_CONSTRAINT = 'chain_outgoing_idempotency_unique';

function sameRequestOrConflict(
  existing: OutgoingTransaction,
  request: { from: Address; to: Address; data: Hex; value: bigint; purpose: string },
): OutgoingTransaction {
  const same =
    existing.fromAddress === request.from &&
    existing.toAddress === request.to &&
    existing.data.toLowerCase() === request.data.toLowerCase() &&
    existing.value === request.value &&
    existing.purpose === request.purpose;
  if (!same) {
    throw new AppError('idempotency_conflict', 'the idempotency key was used for a different transaction', {
      id: existing.id,
    });
  }
  return existing;
}

function checkedAddress(address: string, field: string): Address {
  if (!isAddress(address, { strict: false })) {
    throw new AppError('validation_failed', `${field} is not an address`, { field });
  }
  return getAddress(address);
}

/** What a row that fills a nonce gap is for: a nonce nobody will use, left below Tally's own. */
export const NONCE_GAP_PURPOSE = 'nonce_gap';
const FILLER_GAS_LIMIT = 21_000n;

/**
 * Queues empty transactions to itself for nonces of `from` that the chain has not used and no Tally
 * transaction holds (an outside transaction counted as pending, then dropped): until they are used,
 * none of Tally's later nonces can be mined. A nonce another process filled first is left alone.
 */
export async function fillNonceGaps(
  db: Db,
  clock: Clock,
  chainId: number,
  from: Address,
  nonces: readonly bigint[],
): Promise<number> {
  if (nonces.length === 0) return 0;
  const now = clock.now();
  const filled = await db
    .insert(outgoingTransactions)
    .values(
      nonces.map((nonce) => ({
        id: newId(),
        chainId,
        fromAddress: from,
        nonce,
        toAddress: from,
        data: '0x',
        value: '0',
        gasLimit: FILLER_GAS_LIMIT.toString(),
        purpose: NONCE_GAP_PURPOSE,
        state: 'queued' as const,
        hashes: [],
        attempts: 0,
        nextCheckAt: now,
        createdAt: now,
        metadata: {},
      })),
    )
    .onConflictDoNothing()
    .returning({ id: outgoingTransactions.id });
  return filled.length;
}

export interface PreparedSigner {
  chainId: number;
  address: Address;
  nextNonce: bigint;
  /** The chain's count for the address, including its transactions waiting in the node's pool. */
  chainNonce: bigint;
  /** Nonces used outside Tally since it last sent, skipped by moving `next_nonce` up. */
  skipped: bigint;
}

/**
 * Makes sure Tally can hand out nonces for `address`, at start. A new signer starts at the chain's
 * count. A known one keeps its `next_nonce`, unless the chain has counted past it: every nonce Tally
 * has handed out is below `next_nonce`, so the ones in between were used by someone else holding
 * the key, and are skipped. The chain is asked first, outside the transaction.
 */
export async function prepareSigner(
  db: Db,
  clock: Clock,
  chain: ChainClient,
  address: Address,
): Promise<PreparedSigner> {
  const signer = checkedAddress(address, 'address');
  const chainNonce = BigInt(
    await chain.publicClient.getTransactionCount({ address: signer, blockTag: 'pending' }),
  );
  return db.transaction(async (tx) => {
    const now = clock.now();
    const key = and(eq(signers.chainId, chain.chainId), eq(signers.address, signer));
    const created = await tx
      .insert(signers)
      .values({ chainId: chain.chainId, address: signer, nextNonce: chainNonce, updatedAt: now })
      .onConflictDoNothing()
      .returning({ nextNonce: signers.nextNonce });
    const prepared = { chainId: chain.chainId, address: signer, chainNonce };
    if (created.length > 0) return { ...prepared, nextNonce: chainNonce, skipped: 0n };
    const [row] = await tx.select({ nextNonce: signers.nextNonce }).from(signers).where(key).for('update');
    if (!row) throw new AppError('internal', `signer ${signer} vanished while being prepared`);
    if (chainNonce <= row.nextNonce) return { ...prepared, nextNonce: row.nextNonce, skipped: 0n };
    await tx.update(signers).set({ nextNonce: chainNonce, updatedAt: now }).where(key);
    return { ...prepared, nextNonce: chainNonce, skipped: chainNonce - row.nextNonce };
  });
}
