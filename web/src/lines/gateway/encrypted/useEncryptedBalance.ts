import { useEffect, useState } from 'react';
import type { Address, Hex } from 'viem';
import { useConfig } from 'wagmi';
import { signMessage, signTypedData } from 'wagmi/actions';
import type { KeyPair } from '../../../../../src/chain/zk/elgamal';
import { ApiError } from '../../../api/errors';
import { walletErrorMessage } from '../../../wallet/signInWithEthereum';
import type { Refusal } from '../components/RefusalAlert';
import { refusalOf } from '../components/serverErrors';
import type { GatewayRegistration } from '../types';
import {
  type CiphertextJson,
  ciphertextFromJson,
  isAccountKey,
  keyFromSignature,
  keyJson,
  type PointJson,
  type ReadBalance,
  readBalance,
} from './encryptedBalance';

/** What the page says when Tally or the wallet refused a step. */
export const refusalFrom = (error: unknown): Refusal =>
  error instanceof ApiError ? refusalOf(error) : { message: walletErrorMessage(error) };

export type RegistrationStep = 'key' | 'terms' | 'registration' | 'sending';

export const registrationStepWords: Record<RegistrationStep, string> = {
  key: 'Sign the key message in your wallet…',
  terms: 'Preparing the registration…',
  registration: 'Sign the registration in your wallet…',
  sending: 'Sending the registration to Tally…',
};

/**
 * An encrypted account's registration, signed twice by the wallet: the key message the key is made
 * from, then the key's registration, which Tally sends to the chain.
 */
export function useKeyRegistration(options: {
  keyMessage: string;
  /** Asks Tally for the registration's terms, for this wallet and key. */
  terms: (address: Address, key: PointJson) => Promise<GatewayRegistration>;
  /** Hands the signed registration to Tally. */
  send: (body: { address: Address; key: PointJson; signature: Hex }) => Promise<unknown>;
  /** Called once Tally took the registration. */
  registered: () => Promise<void>;
}) {
  const config = useConfig();
  const [step, setStep] = useState<RegistrationStep | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);

  const register = async (from: Address) => {
    setRefusal(null);
    try {
      setStep('key');
      const key = keyFromSignature(await signMessage(config, { account: from, message: options.keyMessage }));
      setStep('terms');
      const terms = await options.terms(from, keyJson(key));
      setStep('registration');
      const signature = await signTypedData(config, {
        account: from,
        domain: { ...terms.domain, verifyingContract: terms.domain.verifyingContract as Address },
        types: { RegisterKey: terms.types.RegisterKey ?? [] },
        primaryType: 'RegisterKey',
        message: {
          account: terms.message.account as Address,
          keyX: BigInt(terms.message.keyX),
          keyY: BigInt(terms.message.keyY),
        },
      });
      setStep('sending');
      await options.send({ address: from, key: keyJson(key), signature });
      await options.registered();
    } catch (error) {
      setRefusal(refusalFrom(error));
    } finally {
      setStep(null);
    }
  };

  return { step, refusal, register };
}

/**
 * A registered account's balance, read in the page. The key the wallet's signature makes lives in this
 * page's memory only (the wallet makes it again on the next visit) and goes with the wallet that made
 * it: once `walletGone`, it is dropped.
 */
export function useEncryptedBalance(options: {
  keyMessage: string;
  /** The key the account registered: a signature that makes another is refused. */
  registeredKey: PointJson;
  /** The chain's ciphertext of the balance, when it could be read. */
  balance: CiphertextJson | null | undefined;
  /** What Tally's books say the balance holds, in micro-USDC. */
  ledger: string;
  /** What the page says when a signature makes another key than the registered one. */
  otherKey: string;
  walletGone: boolean;
}) {
  const { balance, ledger, walletGone } = options;
  const config = useConfig();
  const [key, setKey] = useState<KeyPair | null>(null);
  const [signing, setSigning] = useState(false);
  const [reading, setReading] = useState<{ of: string; result: ReadBalance } | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const balanceId = balance ? `${JSON.stringify(balance)}:${ledger}` : null;

  useEffect(() => {
    if (!key || !balance || !balanceId) return;
    const ciphertext = ciphertextFromJson(balance);
    const expected = BigInt(ledger);
    // A balance that differs from Tally's books is searched for, a second or two on the page's thread:
    // the timer lets "Reading…" show first.
    const timer = setTimeout(() => {
      setReading({ of: balanceId, result: readBalance(ciphertext, key.secret, expected) });
    }, 20);
    return () => clearTimeout(timer);
  }, [key, balanceId, balance, ledger]);
  const current = reading && reading.of === balanceId ? reading.result : null;

  useEffect(() => {
    if (walletGone) setKey(null);
  }, [walletGone]);

  const show = async (from: Address) => {
    setRefusal(null);
    setSigning(true);
    try {
      const made = keyFromSignature(
        await signMessage(config, { account: from, message: options.keyMessage }),
      );
      if (!isAccountKey(made, options.registeredKey)) {
        setRefusal({ message: options.otherKey });
        return;
      }
      setKey(made);
    } catch (error) {
      setRefusal(refusalFrom(error));
    } finally {
      setSigning(false);
    }
  };

  return { key, signing, current, refusal, setRefusal, show };
}

export type EncryptedBalanceReader = ReturnType<typeof useEncryptedBalance>;
