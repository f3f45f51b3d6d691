import { concat, type Hex, keccak256, toHex } from 'viem';
import {
  addPoints,
  arithmeticProgression,
  base8,
  identity,
  multiply,
  negate,
  type Point,
  pointsEqual,
  subgroupOrder,
  subtractPoints,
} from './babyjub';

/**
 * Exponential ElGamal on BabyJubJub, as the circuits in circuits/ prove it: a ciphertext of m
 * under the key K = s·G is (r·G, m·G + r·K). Ciphertexts under one key add up to a ciphertext of
 * the sum, which is how an encrypted balance takes a credit without its owner; its owner reads m
 * as the discrete log of C2 − s·C1, found by baby-step giant-step because m is small.
 */
export type Ciphertext = { readonly c1: Point; readonly c2: Point };

export type KeyPair = { readonly secret: bigint; readonly publicKey: Point };

/** A ciphertext as the API carries it: decimal coordinates, since JSON numbers cannot hold them. */
export type CiphertextJson = { c1: { x: string; y: string }; c2: { x: string; y: string } };

export const ciphertextToJson = (ciphertext: Ciphertext): CiphertextJson => ({
  c1: { x: ciphertext.c1.x.toString(), y: ciphertext.c1.y.toString() },
  c2: { x: ciphertext.c2.x.toString(), y: ciphertext.c2.y.toString() },
});

export const ciphertextFromJson = (json: CiphertextJson): Ciphertext => ({
  c1: { x: BigInt(json.c1.x), y: BigInt(json.c1.y) },
  c2: { x: BigInt(json.c2.x), y: BigInt(json.c2.y) },
});

/** Amounts and balances the circuits accept: below 2^40 micro-units. */
export const amountLimit = 1n << 40n;

/** An empty balance: the encryption of 0 with randomness 0, which any key decrypts to 0. */
export const zeroCiphertext: Ciphertext = { c1: identity, c2: identity };

/** What a wallet signs to derive its private balances key; the same wallet always derives the same key. */
export const balanceKeyMessage =
  'Tally: my key for private balances.\n\nSigning this lets this page read and move your encrypted balance. It moves no funds and costs no gas.';

export function publicKeyOf(secret: bigint): Point {
  return multiply(base8, secret);
}

/**
 * The key from a wallet's signature of balanceKeyMessage: a wallet signs deterministically
 * (RFC 6979), so the person keeps no extra secret. 512 bits of hash reduced modulo the subgroup
 * order leave no measurable bias (RFC 9380 §5, hash_to_field).
 */
export function keyPairFromSignature(signature: Hex): KeyPair {
  const wide = concat([
    keccak256(concat([toHex('tally/balance-key/0'), signature])),
    keccak256(concat([toHex('tally/balance-key/1'), signature])),
  ]);
  const secret = BigInt(wide) % subgroupOrder;
  if (secret === 0n) throw new Error('this signature gives no usable key');
  return { secret, publicKey: publicKeyOf(secret) };
}

/** A uniform nonzero scalar below the subgroup order, from 512 random bits. */
export function randomScalar(): bigint {
  for (;;) {
    // The Web Crypto API, in Node and in browsers alike: the portal makes its randomness here too.
    const scalar = BigInt(toHex(globalThis.crypto.getRandomValues(new Uint8Array(64)))) % subgroupOrder;
    if (scalar !== 0n) return scalar;
  }
}

function checkAmount(amount: bigint): void {
  if (amount < 0n || amount >= amountLimit) throw new RangeError(`amount ${amount} is outside 0 … 2^40 − 1`);
}

export function encrypt(amount: bigint, publicKey: Point, randomness: bigint = randomScalar()): Ciphertext {
  checkAmount(amount);
  return {
    c1: multiply(base8, randomness),
    c2: addPoints(multiply(base8, amount), multiply(publicKey, randomness)),
  };
}

export function addCiphertexts(left: Ciphertext, right: Ciphertext): Ciphertext {
  return { c1: addPoints(left.c1, right.c1), c2: addPoints(left.c2, right.c2) };
}

export function subtractCiphertexts(left: Ciphertext, right: Ciphertext): Ciphertext {
  return { c1: subtractPoints(left.c1, right.c1), c2: subtractPoints(left.c2, right.c2) };
}

/** The balance after a public amount leaves it, as the withdrawal circuit computes it. */
export function subtractAmount(balance: Ciphertext, amount: bigint): Ciphertext {
  checkAmount(amount);
  return { c1: balance.c1, c2: subtractPoints(balance.c2, multiply(base8, amount)) };
}

export function ciphertextsEqual(left: Ciphertext, right: Ciphertext): boolean {
  return pointsEqual(left.c1, right.c1) && pointsEqual(left.c2, right.c2);
}

/** m·G, what a ciphertext hides until its discrete log is found. */
export function decryptToPoint(ciphertext: Ciphertext, secret: bigint): Point {
  return subtractPoints(ciphertext.c2, multiply(ciphertext.c1, secret));
}

/** Baby steps j·G for j below the table size, by x-coordinate, kept per size for the next decryption. */
const babyStepTables = new Map<number, Map<bigint, number>>();

function babySteps(size: number): Map<bigint, number> {
  let table = babyStepTables.get(size);
  if (!table) {
    table = new Map();
    const points = arithmeticProgression(identity, base8, size);
    // In the prime subgroup no two points share an x-coordinate but a point and its negation,
    // which differ in sign; the y-coordinate is checked when a match is found.
    for (let index = 0; index < size; index++) table.set(points[index]!.x, index);
    babyStepTables.set(size, table);
  }
  return table;
}

const giantStepBatch = 256;

/**
 * The m below `limit` with m·G = point, or undefined: baby-step giant-step, with √limit baby
 * steps built once per limit and kept, and at most √limit giant steps. A limit of 2^32 takes a
 * table of 65 536 points; the circuits' 2^40 one of about a million (seconds to build, tens of
 * megabytes), which a client builds once.
 */
export function discreteLog(point: Point, limit: bigint = amountLimit): bigint | undefined {
  let size = 1;
  while (BigInt(size) * BigInt(size) < limit) size *= 2;
  const table = babySteps(size);
  const stride = negate(multiply(base8, BigInt(size)));
  const giantSteps = Number((limit + BigInt(size) - 1n) / BigInt(size));
  let start = point;
  for (let first = 0; first < giantSteps; first += giantStepBatch) {
    const count = Math.min(giantStepBatch, giantSteps - first);
    const candidates = arithmeticProgression(start, stride, count + 1);
    for (let step = 0; step < count; step++) {
      const candidate = candidates[step]!;
      const baby = table.get(candidate.x);
      if (baby === undefined) continue;
      const value = BigInt(first + step) * BigInt(size) + BigInt(baby);
      if (value < limit && pointsEqual(multiply(base8, value), point)) return value;
    }
    start = candidates[count]!;
  }
  return undefined;
}

/**
 * The amount a ciphertext holds, or undefined when it is not below `limit` (or is not for this
 * key). `expected`, when the caller knows what it should hold (a ledger's figure), is tried first:
 * one multiplication instead of a search.
 */
export function decrypt(
  ciphertext: Ciphertext,
  secret: bigint,
  limit: bigint = amountLimit,
  expected?: bigint,
): bigint | undefined {
  const point = decryptToPoint(ciphertext, secret);
  if (expected !== undefined && pointsEqual(point, multiply(base8, expected))) return expected;
  return discreteLog(point, limit);
}

/** Whether the ciphertext holds exactly `value` under the key: C2 − s·C1 = value·G, with no search. */
export function holdsAmount(ciphertext: Ciphertext, secret: bigint, value: bigint): boolean {
  return pointsEqual(decryptToPoint(ciphertext, secret), multiply(base8, value));
}
