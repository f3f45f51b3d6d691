import fc from 'fast-check';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { base8, identity, isOnCurve, multiply, pointsEqual, subgroupOrder } from './babyjub';
import {
  addCiphertexts,
  amountLimit,
  balanceKeyMessage,
  decrypt,
  discreteLog,
  encrypt,
  keyPairFromSignature,
  subtractAmount,
  subtractCiphertexts,
  zeroCiphertext,
} from './elgamal';

const wallet = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const key = keyPairFromSignature(await wallet.signMessage({ message: balanceKeyMessage }));
const other = keyPairFromSignature(
  await privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9846f4e59a3f1').signMessage(
    {
      message: balanceKeyMessage,
    },
  ),
);
const small = 1n << 20n;

describe('balance keys', () => {
  it('come from a wallet signature, the same each time, a public key in the prime subgroup', async () => {
    const again = keyPairFromSignature(await wallet.signMessage({ message: balanceKeyMessage }));
    expect(again.secret).toBe(key.secret);
    expect(other.secret).not.toBe(key.secret);
    expect(key.secret > 0n && key.secret < subgroupOrder).toBe(true);
    expect(isOnCurve(key.publicKey)).toBe(true);
    expect(pointsEqual(multiply(key.publicKey, subgroupOrder), identity)).toBe(true);
  });
});

describe('encrypted amounts', () => {
  it('decrypt with their key only', () => {
    const ciphertext = encrypt(123_456n, key.publicKey);
    expect(decrypt(ciphertext, key.secret, small)).toBe(123_456n);
    expect(decrypt(ciphertext, other.secret, small)).toBeUndefined();
  });

  it('add and subtract under one key, whatever the randomness', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 18n }),
        fc.bigInt({ min: 0n, max: 1n << 18n }),
        (left, right) => {
          const sum = addCiphertexts(encrypt(left, key.publicKey), encrypt(right, key.publicKey));
          expect(decrypt(sum, key.secret, small)).toBe(left + right);
          const difference = subtractCiphertexts(sum, encrypt(right, key.publicKey));
          expect(decrypt(difference, key.secret, small)).toBe(left);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('take a public amount away, as a withdrawal does', () => {
    expect(decrypt(subtractAmount(encrypt(5_000n, key.publicKey), 1_200n), key.secret, small)).toBe(3_800n);
  });

  it('start from an empty balance that every key reads as 0', () => {
    expect(decrypt(zeroCiphertext, key.secret, small)).toBe(0n);
    expect(decrypt(addCiphertexts(zeroCiphertext, encrypt(77n, key.publicKey)), key.secret, small)).toBe(77n);
  });

  it('are refused outside 0 … 2^40 − 1', () => {
    expect(() => encrypt(-1n, key.publicKey)).toThrow(RangeError);
    expect(() => encrypt(amountLimit, key.publicKey)).toThrow(RangeError);
  });
});

describe('the discrete log', () => {
  it('finds every value below its limit, the ends included, and nothing at or above it', () => {
    for (const value of [0n, 1n, 1023n, 1024n, small - 1n]) {
      expect(discreteLog(multiply(base8, value), small)).toBe(value);
    }
    expect(discreteLog(multiply(base8, small), small)).toBeUndefined();
    expect(discreteLog(multiply(base8, small + 5n), small)).toBeUndefined();
  });
});
