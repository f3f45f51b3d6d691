import type { Address } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { type KeyPair, keyPairFromSignature } from './elgamal';

/**
 * What the treasury signs to derive the auditor key of the encrypted credits it operates: like a
 * person's balance key, it comes from a deterministic signature, so the installation keeps no
 * secret beyond the treasury's own key, and the same treasury always finds the same auditor key.
 */
export const auditorKeyMessage =
  'Tally: the auditor key of the encrypted credits this treasury operates. It reads every encrypted balance.';

const auditorKeys = new Map<Address, Promise<KeyPair>>();

export function auditorKeyOf(treasury: Pick<LocalAccount, 'address' | 'signMessage'>): Promise<KeyPair> {
  let key = auditorKeys.get(treasury.address);
  if (!key) {
    key = treasury
      .signMessage({ message: auditorKeyMessage })
      .then(keyPairFromSignature)
      .catch((error: unknown) => {
        // A signer that failed once (a remote signer down) is asked again next time.
        auditorKeys.delete(treasury.address);
        throw error;
      });
    auditorKeys.set(treasury.address, key);
  }
  return key;
}
