import { type Address, bytesToHex } from 'viem';
import type { Config } from 'wagmi';
import { signTypedData } from 'wagmi/actions';
import type { components } from '../api/schema';

/** What a wallet signs to pay Tally's treasury (EIP-3009), as GET …/terms answers it. */
export type AuthorizationTerms = components['schemas']['AuthorizationTerms'];

/** A signed ReceiveWithAuthorization, as Tally's payment routes take it (`authorization`). */
export interface ReceiveAuthorization {
  kind: 'receive';
  from: string;
  value: string;
  valid_after: string;
  valid_before: string;
  nonce: string;
  signature: string;
}

/** How long a signed authorization stays valid: an hour, or longer if the chain needs it. */
const VALID_FOR_SECONDS = 3600;
/** How far back it is valid from, so a wallet's clock a little ahead is no problem. */
const VALID_FROM_SECONDS_AGO = 60;

/** A random EIP-3009 nonce: 32 bytes, never used before by this wallet. */
const randomNonce = () => bytesToHex(crypto.getRandomValues(new Uint8Array(32)));

/**
 * Has the connected wallet sign one EIP-3009 ReceiveWithAuthorization of `value` (micro-units) from
 * `from` to the treasury the terms name. Only the treasury can submit it, so nobody who sees the
 * signature can move the money elsewhere; the person sends no transaction and pays no gas.
 */
export async function signReceiveAuthorization(
  config: Config,
  { terms, from, value }: { terms: AuthorizationTerms; from: Address; value: string },
): Promise<ReceiveAuthorization> {
  const now = Math.floor(Date.now() / 1000);
  const validAfter = BigInt(now - VALID_FROM_SECONDS_AGO);
  const validBefore = BigInt(now + Math.max(VALID_FOR_SECONDS, terms.min_validity_seconds + 600));
  const nonce = randomNonce();
  const signature = await signTypedData(config, {
    account: from,
    domain: { ...terms.domain, verifyingContract: terms.domain.verifyingContract as Address },
    types: { ReceiveWithAuthorization: terms.types.ReceiveWithAuthorization },
    primaryType: 'ReceiveWithAuthorization',
    message: {
      from,
      to: terms.to as Address,
      value: BigInt(value),
      validAfter,
      validBefore,
      nonce,
    },
  });
  return {
    kind: 'receive',
    from,
    value,
    valid_after: validAfter.toString(),
    valid_before: validBefore.toString(),
    nonce,
    signature,
  };
}
