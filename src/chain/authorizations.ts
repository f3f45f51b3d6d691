import {
  type Address,
  encodeFunctionData,
  formatUnits,
  getAddress,
  type Hex,
  isHex,
  parseAbiItem,
} from 'viem';
import type { Db } from '../core/database';
import { AppError } from '../core/errors';
import { databaseStep, defineFlow, externalStep, type Flow } from '../core/flows';
import * as TestUSDC from './contracts/TestUSDC';
import { chainErrors } from './errors';
import type { ChainEvent } from './follower/events';
import { defineWatcher, type Watcher } from './follower/follower';
import type { ChainRuntime } from './runtime';
import { estimateGasLimit, type Settlement } from './sender/sender';

/**
 * Payments in USDC by EIP-3009 authorization: the payer signs once (`receiveWithAuthorization` or
 * `transferWithAuthorization` to the treasury), the treasury submits it, and the chain's
 * `AuthorizationUsed` event, once confirmed, is the payment. Every line that takes USDC this way
 * (the gateway's deposits, the credits checkout) checks an authorization here before it records
 * anything, queues the submission with `queueTransaction`, and credits what it sells from a
 * follower watcher on `authorizationUsedEvent`, once per event, undone if a reorg takes it back.
 */

/** An authorization must stay valid this long after it reaches Tally: time to be mined and confirmed. */
export const MIN_VALIDITY_SECONDS = 600n;

export const authorizationUsedEvent = parseAbiItem(
  'event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)',
);
export const authorizationCanceledEvent = parseAbiItem(
  'event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce)',
);

export const authorizationKinds = ['receive', 'transfer'] as const;
export type AuthorizationKind = (typeof authorizationKinds)[number];

const PRIMARY_TYPES: Record<AuthorizationKind, 'ReceiveWithAuthorization' | 'TransferWithAuthorization'> = {
  receive: 'ReceiveWithAuthorization',
  transfer: 'TransferWithAuthorization',
};

/** The fields of EIP-3009's ReceiveWithAuthorization and TransferWithAuthorization, in their order. */
export const AUTHORIZATION_FIELDS = [
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
] as const;

/** What a wallet signs to pay: the token's EIP-712 domain, the types, and where the USDC goes. */
export interface AuthorizationTerms {
  chainId: number;
  token: { address: Address; name: string; version: string; decimals: number };
  /** The treasury: the authorization's `to`. */
  to: Address;
  types: {
    ReceiveWithAuthorization: typeof AUTHORIZATION_FIELDS;
    TransferWithAuthorization: typeof AUTHORIZATION_FIELDS;
  };
  minValiditySeconds: number;
  confirmations: number;
}

const versions = new WeakMap<ChainRuntime, Promise<string>>();

/** The token's EIP-712 `version()`, read once per chain (USDC says "2"). */
function tokenVersion(chain: ChainRuntime): Promise<string> {
  let version = versions.get(chain);
  if (!version) {
    version = chain.client.publicClient
      .readContract({
        address: chain.deployment.tokens.USDC.address,
        abi: TestUSDC.abi,
        functionName: 'version',
      })
      .catch((error: unknown) => {
        versions.delete(chain);
        throw error;
      });
    versions.set(chain, version);
  }
  return version;
}

export async function authorizationTerms(chain: ChainRuntime): Promise<AuthorizationTerms> {
  const usdc = chain.deployment.tokens.USDC;
  return {
    chainId: chain.client.chainId,
    token: {
      address: usdc.address,
      name: usdc.name,
      version: await tokenVersion(chain),
      decimals: usdc.decimals,
    },
    to: chain.treasury.address,
    types: {
      ReceiveWithAuthorization: AUTHORIZATION_FIELDS,
      TransferWithAuthorization: AUTHORIZATION_FIELDS,
    },
    minValiditySeconds: Number(MIN_VALIDITY_SECONDS),
    confirmations: chain.settings.confirmations,
  };
}

export interface AuthorizationInput {
  kind: AuthorizationKind;
  from: string;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  nonce: string;
  signature: string;
}

/** Why an authorization cannot be taken (`chainErrors` codes, or a malformed field). */
export interface AuthorizationRefusal {
  ok: false;
  code:
    | 'validation_failed'
    | 'authorization_not_valid_yet'
    | 'authorization_expiring'
    | 'signature_invalid'
    | 'insufficient_balance'
    | 'authorization_used';
  message: string;
  details?: Record<string, unknown>;
}

/** An authorization that can be submitted: the treasury's call, ready to queue. */
export interface CheckedAuthorization {
  ok: true;
  /** Lower case, as lines key their records by (payer, nonce). */
  from: Address;
  nonce: Hex;
  signature: Hex;
  /** The USDC contract (or the payee), and the call that submits the authorization to it. */
  to: Address;
  data: Hex;
  gasLimit: bigint;
}

/** The parts of an authorization that name it: the payer and the nonce, as lines key them. */
export function authorizationKey(input: Pick<AuthorizationInput, 'from' | 'nonce'>): {
  from: Address;
  nonce: Hex;
} {
  return { from: getAddress(input.from).toLowerCase() as Address, nonce: input.nonce.toLowerCase() as Hex };
}

/** The shape of the nonce, before anything is looked up by it. */
export function nonceRefusal(nonce: string): AuthorizationRefusal | null {
  return isHex(nonce) && nonce.length === 66
    ? null
    : {
        ok: false,
        code: 'validation_failed',
        message: 'the nonce must be 32 bytes of hex',
        details: { field: 'nonce' },
      };
}

/**
 * Where an authorization pays when it is not the treasury: a contract that takes the
 * `receiveWithAuthorization` itself (only the payee can submit one), and the treasury's call to it
 * that does.
 */
export interface AuthorizationPayee {
  address: Address;
  submission(authorization: {
    from: Address;
    value: bigint;
    validAfter: bigint;
    validBefore: bigint;
    nonce: Hex;
    signature: Hex;
  }): Hex;
}

/**
 * Checks an authorization of USDC to the treasury (or to `payee`) as the chain would take it: its
 * validity window (valid now, and for `MIN_VALIDITY_SECONDS` more), the payer's signature of these
 * terms, its nonce still unused on chain, and the submission not reverting (its gas estimated).
 * The amount is the line's to check.
 */
export async function checkAuthorization(
  chain: ChainRuntime,
  now: Date,
  input: AuthorizationInput,
  payee?: AuthorizationPayee,
): Promise<CheckedAuthorization | AuthorizationRefusal> {
  const malformed = nonceRefusal(input.nonce);
  if (malformed) return malformed;
  const { from, nonce } = authorizationKey(input);
  const signature = input.signature.toLowerCase() as Hex;
  const seconds = BigInt(Math.floor(now.getTime() / 1000));
  if (input.validAfter > seconds) {
    return {
      ok: false,
      code: 'authorization_not_valid_yet',
      message: 'the authorization is not valid yet: sign one valid from now',
      details: { field: 'valid_after' },
    };
  }
  if (input.validBefore < seconds + MIN_VALIDITY_SECONDS) {
    return {
      ok: false,
      code: 'authorization_expiring',
      message: `the authorization must stay valid for ${MIN_VALIDITY_SECONDS / 60n} minutes at least, so the chain can take it`,
      details: { field: 'valid_before', min_valid_before: (seconds + MIN_VALIDITY_SECONDS).toString() },
    };
  }
  const terms = await authorizationTerms(chain);
  const to = payee?.address ?? terms.to;
  const message = {
    from: getAddress(from),
    to,
    value: input.value,
    validAfter: input.validAfter,
    validBefore: input.validBefore,
    nonce,
  };
  const valid = await chain.client.publicClient
    .verifyTypedData({
      address: getAddress(from),
      domain: {
        name: terms.token.name,
        version: terms.token.version,
        chainId: terms.chainId,
        verifyingContract: terms.token.address,
      },
      types: terms.types,
      primaryType: PRIMARY_TYPES[input.kind],
      message,
      signature,
    })
    .catch(() => false);
  if (!valid) {
    return {
      ok: false,
      code: 'signature_invalid',
      message: `the signature is not ${from}'s ${PRIMARY_TYPES[input.kind]} of these terms (to ${payee ? '' : 'the treasury '}${to})`,
      details: { field: 'signature' },
    };
  }
  if (await authorizationUsed(chain, from, nonce)) {
    return {
      ok: false,
      code: 'authorization_used',
      message: 'this authorization was used or cancelled on chain already',
    };
  }
  // Checked before the gas estimate, whose revert would only say the transfer failed. A lagging
  // RPC may read an older balance: the payer is asked to sign again, never charged twice.
  const balance = await chain.client.publicClient.readContract({
    address: terms.token.address,
    abi: TestUSDC.abi,
    functionName: 'balanceOf',
    args: [message.from],
  });
  if (balance < input.value) {
    return {
      ok: false,
      code: 'insufficient_balance',
      message: `the wallet ${message.from} holds ${formatUnits(balance, terms.token.decimals)} USDC, less than the ${formatUnits(input.value, terms.token.decimals)} USDC this payment needs: add USDC to it and sign again`,
      details: { field: 'authorization.value', balance: balance.toString(), needed: input.value.toString() },
    };
  }
  const submitTo = payee?.address ?? terms.token.address;
  const data = payee
    ? payee.submission({ ...message, nonce, signature })
    : encodeFunctionData({
        abi: TestUSDC.abi,
        functionName: input.kind === 'receive' ? 'receiveWithAuthorization' : 'transferWithAuthorization',
        args: [
          message.from,
          message.to,
          message.value,
          message.validAfter,
          message.validBefore,
          nonce,
          signature,
        ],
      });
  const gasLimit = await estimateGasLimit(
    chain.client,
    { from: chain.treasury.address, to: submitTo, data },
    { maxGasLimit: chain.settings.maxGasLimit },
  );
  return { ok: true, from, nonce, signature, to: submitTo, data, gasLimit };
}

/** Whether the chain says the authorization was used or cancelled. */
export function authorizationUsed(chain: ChainRuntime, from: string, nonce: string): Promise<boolean> {
  return chain.client.publicClient.readContract({
    address: chain.deployment.tokens.USDC.address,
    abi: TestUSDC.abi,
    functionName: 'authorizationState',
    args: [getAddress(from), nonce as Hex],
  });
}

/** A refusal as the error a route answers: the chain rail's own code, or `validation_failed`. */
export function authorizationError(refusal: AuthorizationRefusal): AppError {
  return refusal.code === 'validation_failed'
    ? new AppError('validation_failed', refusal.message, refusal.details)
    : chainErrors.error(refusal.code, refusal.message, refusal.details);
}

/** An `AuthorizationUsed` or `AuthorizationCanceled` event as a line's handler gets it. */
export type AuthorizationEvent = ChainEvent<{ authorizer: Address; nonce: Hex }>;

/**
 * What a line does with the authorizations it took. A log has one watcher, so the chain rail reads
 * the token's authorization events once and asks each line in turn; each answers whether the event
 * was its own (it finds the payer and nonce, or for an orphan the event id, among its records).
 */
export interface AuthorizationHandler {
  /** Confirmed used: credit what it paid for. */
  used(tx: Db, event: AuthorizationEvent): Promise<boolean>;
  /** A used event a reorg took back: undo that. */
  usedOrphaned(tx: Db, event: AuthorizationEvent): Promise<boolean>;
  /** Confirmed cancelled by its payer before use: fail what waited for it. */
  canceled(tx: Db, event: AuthorizationEvent): Promise<boolean>;
  /** A cancellation a reorg took back: wait again. */
  canceledOrphaned(tx: Db, event: AuthorizationEvent): Promise<boolean>;
}

/** The two watchers of the token's authorization events, each asking the lines' handlers in turn. */
export function authorizationWatchers(
  chain: ChainRuntime,
  handlers: readonly AuthorizationHandler[],
): Watcher[] {
  const first = async (ask: (handler: AuthorizationHandler) => Promise<boolean>) => {
    for (const handler of handlers) if (await ask(handler)) return;
  };
  const address = chain.deployment.tokens.USDC.address;
  return [
    defineWatcher({
      name: 'chain.authorizations_used',
      address,
      event: authorizationUsedEvent,
      onConfirmed: (tx, event) => first((h) => h.used(tx, event)),
      onOrphaned: (tx, event) => first((h) => h.usedOrphaned(tx, event)),
    }),
    defineWatcher({
      name: 'chain.authorizations_canceled',
      address,
      event: authorizationCanceledEvent,
      onConfirmed: (tx, event) => first((h) => h.canceled(tx, event)),
      onOrphaned: (tx, event) => first((h) => h.canceledOrphaned(tx, event)),
    }),
  ];
}

/** An authorization as a line stored it: what a repeat must match to be the same one. */
export interface StoredAuthorization {
  kind: AuthorizationKind;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  signature: string;
}

/** Whether an authorization sent again is the one stored (the same terms, the same signature). */
export const sameAuthorization = (stored: StoredAuthorization, input: AuthorizationInput): boolean =>
  stored.kind === input.kind &&
  stored.value === input.value &&
  stored.validAfter === input.validAfter &&
  stored.validBefore === input.validBefore &&
  stored.signature === input.signature.toLowerCase();

/**
 * Settles the treasury's own submission of an authorization: confirmed needs nothing (the line's
 * handler credits what the chain's event says). Reverted or replaced fails the line's record
 * (`fail`, with the reason in words) while the chain says the authorization is still unused; if it
 * is used or cancelled, another transaction took it first (anyone may submit a
 * `transferWithAuthorization`), and the handler settles it from that transaction's event.
 */
export function authorizationSettlement(
  chain: ChainRuntime,
  line: {
    name: string;
    /** The payer and nonce of the record the submission was for; null when there is none. */
    find(db: Db, transactionId: string): Promise<{ from: string; nonce: string } | null>;
    /** Fails the record that waits for this submission (a record settled meanwhile stays as it is). */
    fail(tx: Db, transactionId: string, reason: string): Promise<void>;
  },
  db: Db,
): Flow<Settlement> {
  return defineFlow<Settlement>({
    name: line.name,
    steps: [
      externalStep('authorization', async ({ input }) => {
        if (input.state === 'confirmed') return { used: true };
        const record = await line.find(db, input.transactionId);
        if (!record) return { used: true };
        return { used: await authorizationUsed(chain, record.from, record.nonce) };
      }),
      databaseStep('record', async (tx, { input, outputs }) => {
        if ((outputs.authorization as { used: boolean }).used) return null;
        await line.fail(
          tx,
          input.transactionId,
          input.state === 'reverted'
            ? 'the chain refused the authorization: it expired, or the USDC left the wallet before it was used'
            : 'the transaction that submitted the authorization was replaced before it was mined',
        );
        return null;
      }),
    ],
  });
}
