import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createKeyring,
  ed25519PublicKey,
  newInstallationSecret,
  resolveInstallationSecret,
  verifyEd25519,
} from './keyring';

const secret = 'k2N9e0c3sYb5lq2c5r2VbT0tH1m8x4JZk2N9e0c3sYb'; // 32 bytes, base64url

describe('keyring', () => {
  it('opens what it sealed, for the same purpose only, and refuses a changed value', () => {
    const keys = createKeyring(secret);
    const sealed = keys.seal('gateway.upstream', 'Bearer upstream-token');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('upstream-token');
    expect(keys.seal('gateway.upstream', 'Bearer upstream-token')).not.toBe(sealed);
    expect(keys.open('gateway.upstream', sealed)).toBe('Bearer upstream-token');
    expect(createKeyring(secret).open('gateway.upstream', sealed)).toBe('Bearer upstream-token');

    expect(() => keys.open('another.purpose', sealed)).toThrow();
    expect(() => createKeyring(newInstallationSecret()).open('gateway.upstream', sealed)).toThrow();
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    expect(() => keys.open('gateway.upstream', `v1.${bytes.toString('base64url')}`)).toThrow();
    expect(() => keys.open('gateway.upstream', 'plain text')).toThrow('not a sealed value');
  });

  it('signs with a key per purpose that anyone can check with the published public key', () => {
    const keys = createKeyring(secret);
    const receipts = keys.signer('gateway.receipts');
    expect(keys.signer('gateway.receipts')).toBe(receipts);
    expect(createKeyring(secret).signer('gateway.receipts').publicKey).toBe(receipts.publicKey);
    expect(keys.signer('gateway.quotes').publicKey).not.toBe(receipts.publicKey);

    const signature = receipts.sign('a receipt');
    const publicKey = ed25519PublicKey(receipts.publicKey)!;
    expect(verifyEd25519(publicKey, 'a receipt', signature)).toBe(true);
    expect(verifyEd25519(publicKey, 'another receipt', signature)).toBe(false);
    expect(
      verifyEd25519(ed25519PublicKey(keys.signer('gateway.quotes').publicKey)!, 'a receipt', signature),
    ).toBe(false);
    expect(verifyEd25519(publicKey, 'a receipt', signature.slice(2))).toBe(false);
  });

  it('refuses public keys that are not 32 bytes of base64url, and a short secret', () => {
    expect(ed25519PublicKey('abc')).toBeNull();
    expect(ed25519PublicKey(`${'A'.repeat(43)}=`)).toBeNull();
    expect(() => createKeyring('c2hvcnQ')).toThrow('at least 32 bytes');
  });

  it('keeps a generated secret in TALLY_HOME, and prefers a configured one', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-keyring-'));
    try {
      const first = resolveInstallationSecret(undefined, home);
      expect(Buffer.from(first, 'base64url')).toHaveLength(32);
      expect(resolveInstallationSecret(undefined, home)).toBe(first);
      expect(fs.statSync(path.join(home, 'secret-key')).mode & 0o777).toBe(0o600);
      expect(resolveInstallationSecret(secret, home)).toBe(secret);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
