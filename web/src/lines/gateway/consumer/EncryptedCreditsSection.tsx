import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { type Address, getAddress, isAddressEqual } from 'viem';
import { useConfig } from 'wagmi';
import { signMessage, signTypedData } from 'wagmi/actions';
import type { KeyPair } from '../../../../../src/chain/zk/elgamal';
import { api, call } from '../../../api/client';
import { ApiError } from '../../../api/errors';
import { Facts } from '../../../components/Facts';
import { SectionCard } from '../../../components/SectionCard';
import { usePolling } from '../../../hooks/usePolling';
import { useResource } from '../../../hooks/useResource';
import { walletErrorMessage } from '../../../wallet/signInWithEthereum';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { refusalOf } from '../components/serverErrors';
import { formatMoment, formatUsdc } from '../format';
import {
  ciphertextFromJson,
  isAccountKey,
  keyFromSignature,
  keyJson,
  type ReadBalance,
  readBalance,
  SEARCH_LIMIT,
} from '../provider/encryptedBalance';

/** How often the section looks again while the chain confirms a registration. */
const FOLLOW_MS = 2000;

const loadEncryptedCredits = () => call(api.GET('/api/gateway/encrypted'));

export type EncryptedCredits = Awaited<ReturnType<typeof loadEncryptedCredits>>;

/**
 * The person's encrypted credits account, followed while its registration is on its way. Its key
 * starts with `gateway-balance` so that a deposit, which changes it, reads it again.
 */
export function useEncryptedCredits() {
  const encrypted = useResource('gateway-balance:encrypted', loadEncryptedCredits);
  usePolling(encrypted.reload, FOLLOW_MS, encrypted.data?.account?.state === 'registering');
  return encrypted;
}

const refusalFrom = (error: unknown): Refusal =>
  error instanceof ApiError ? refusalOf(error) : { message: walletErrorMessage(error) };

/** What the private balance is, for a person who never heard of encrypted balances. */
const PRIVATE_INTRO =
  'Your deposit itself is still public on chain, but the balance it adds to and what you spend from it are encrypted: only you and Tally can read them.';

type SetupStep = 'key' | 'terms' | 'registration' | 'sending';

const setupStepWords: Record<SetupStep, string> = {
  key: 'Sign the key message in your wallet…',
  terms: 'Preparing the registration…',
  registration: 'Sign the registration in your wallet…',
  sending: 'Sending the registration to Tally…',
};

function SetUp({
  encrypted,
  address,
  linked,
  reload,
}: {
  encrypted: EncryptedCredits;
  address: Address | undefined;
  linked: boolean;
  reload: () => Promise<void>;
}) {
  const config = useConfig();
  const [step, setStep] = useState<SetupStep | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const failed = encrypted.account?.state === 'failed';

  const setUp = async (from: Address) => {
    setRefusal(null);
    try {
      setStep('key');
      const key = keyFromSignature(
        await signMessage(config, { account: from, message: encrypted.key_message }),
      );
      setStep('terms');
      const terms = await call(
        api.POST('/api/gateway/encrypted/registration', { body: { address: from, key: keyJson(key) } }),
      );
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
      await call(
        api.POST('/api/gateway/encrypted/key', { body: { address: from, key: keyJson(key), signature } }),
      );
      await reload();
    } catch (error) {
      setRefusal(refusalFrom(error));
    } finally {
      setStep(null);
    }
  };

  const blocked = !address
    ? 'Connect a wallet above first: your private balance is tied to it.'
    : !linked
      ? 'Link this wallet to your account above first: only a linked wallet can hold your private balance.'
      : null;
  return (
    <Stack gap="sm">
      {failed ? (
        <Alert color="red" variant="light" title="Setting up your private balance failed on chain">
          {encrypted.account?.failure ?? 'The chain refused it.'} Set it up again.
        </Alert>
      ) : (
        <Text size="sm">You have no private balance yet: your deposits are plain credits.</Text>
      )}
      <Group gap="sm">
        <Button
          onClick={() => address && void setUp(address)}
          loading={step !== null}
          disabled={blocked !== null}
        >
          {failed ? 'Set up my private balance again' : 'Set up my private balance'}
        </Button>
        {step ? (
          <Text size="sm" role="status">
            {setupStepWords[step]}
          </Text>
        ) : (
          blocked && (
            <Text size="sm" c="dimmed">
              {blocked}
            </Text>
          )
        )}
      </Group>
      <RefusalAlert refusal={refusal} />
      <Text size="xs" c="dimmed">
        The connected wallet signs twice: a message your key is made from (the same wallet always makes the
        same key, so you keep no extra secret), then the key's registration. Tally sends it to the chain and
        pays the gas.
      </Text>
    </Stack>
  );
}

function BalanceWords({ reading, encrypted }: { reading: ReadBalance; encrypted: EncryptedCredits }) {
  if (reading.kind === 'unreadable') {
    return (
      <Alert color="orange" variant="light" role="status" title="Your private balance could not be read">
        It is not below {formatUsdc(SEARCH_LIMIT - 1n)}, or not encrypted to your key. Tally's record says{' '}
        {formatUsdc(encrypted.on_chain)}.
      </Alert>
    );
  }
  return (
    <Stack gap={4}>
      <Group gap="sm" align="baseline">
        <Title order={3} size="h1" data-testid="private-balance">
          {formatUsdc(reading.value)}
        </Title>
        <Text c="dimmed">in your private balance on chain</Text>
      </Group>
      <Text size="sm" role="status" data-testid="private-balance-check">
        {reading.matchesLedger
          ? `This matches Tally's record (${formatUsdc(encrypted.on_chain)}).`
          : `Tally's record says ${formatUsdc(encrypted.on_chain)}: the chain holds another amount for your key. A deposit may still be on its way; look again in a minute.`}
      </Text>
    </Stack>
  );
}

function RegisteredBalance({
  encrypted,
  address,
}: {
  encrypted: EncryptedCredits;
  address: Address | undefined;
}) {
  const config = useConfig();
  const account = encrypted.account!;
  const tiedTo = getAddress(account.address);
  const own = Boolean(address && isAddressEqual(address, tiedTo));
  // The key lives in this page's memory only: the wallet makes it again on the next visit.
  const [key, setKey] = useState<KeyPair | null>(null);
  const [signing, setSigning] = useState(false);
  const [reading, setReading] = useState<{ of: string; result: ReadBalance } | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const balanceId = encrypted.balance ? `${JSON.stringify(encrypted.balance)}:${encrypted.on_chain}` : null;

  useEffect(() => {
    if (!key || !encrypted.balance || !balanceId) return;
    const balance = ciphertextFromJson(encrypted.balance);
    const ledger = BigInt(encrypted.on_chain);
    // A balance that differs from Tally's record is searched for on the page's thread: the timer
    // lets "Reading…" show first.
    const timer = setTimeout(() => {
      setReading({ of: balanceId, result: readBalance(balance, key.secret, ledger) });
    }, 20);
    return () => clearTimeout(timer);
  }, [key, balanceId, encrypted.balance, encrypted.on_chain]);
  const current = reading && reading.of === balanceId ? reading.result : null;
  // The key goes with the wallet that made it: replaced by another, it is dropped.
  useEffect(() => {
    if (address && !isAddressEqual(address, tiedTo)) setKey(null);
  }, [address, tiedTo]);

  const show = async (from: Address) => {
    setRefusal(null);
    setSigning(true);
    try {
      const made = keyFromSignature(
        await signMessage(config, { account: from, message: encrypted.key_message }),
      );
      if (!isAccountKey(made, account.key)) {
        setRefusal({
          message: `This signature makes another key than the one your private balance registered: sign with ${tiedTo}.`,
        });
        return;
      }
      setKey(made);
    } catch (error) {
      setRefusal(refusalFrom(error));
    } finally {
      setSigning(false);
    }
  };

  const unswept = BigInt(encrypted.unswept);
  return (
    <Stack gap="sm">
      {!encrypted.balance ? (
        <Text size="sm">
          The chain's copy of your private balance could not be read now; look again in a minute.
        </Text>
      ) : key === null ? (
        <Group gap="sm">
          <Button
            variant="default"
            onClick={() => address && void show(address)}
            loading={signing}
            disabled={!own}
          >
            Show balance
          </Button>
          <Text size="sm" c="dimmed">
            {signing
              ? 'Sign the key message in your wallet…'
              : own
                ? 'Your wallet signs the key message again: your key reads the balance in this page, and is kept nowhere.'
                : `Connect ${tiedTo} above to read your private balance: only its signature makes your key.`}
          </Text>
        </Group>
      ) : current === null ? (
        <Text size="sm" role="status">
          Reading your private balance…
        </Text>
      ) : (
        <BalanceWords reading={current} encrypted={encrypted} />
      )}
      <Text size="sm" data-testid="private-unswept">
        {unswept > 0n
          ? `${formatUsdc(unswept)} of it you spent since the last daily settlement: it leaves the chain balance at the next settlement.`
          : 'Nothing spent since the last daily settlement: what you spend leaves the chain balance at the next settlement.'}
      </Text>
      <RefusalAlert refusal={refusal} />
    </Stack>
  );
}

function AccountState({
  encrypted,
  address,
  linked,
  reload,
}: {
  encrypted: EncryptedCredits;
  address: Address | undefined;
  linked: boolean;
  reload: () => Promise<void>;
}) {
  const account = encrypted.account;
  if (!account || account.state === 'failed')
    return <SetUp encrypted={encrypted} address={address} linked={linked} reload={reload} />;
  return (
    <Stack gap="md">
      <Facts
        facts={[
          { label: 'State', value: <StateBadge state={account.state} /> },
          { label: 'Tied to wallet', value: getAddress(account.address) },
          {
            label: 'Active since',
            value: account.registered_at ? formatMoment(account.registered_at) : 'not yet',
          },
        ]}
      />
      {account.state === 'registering' ? (
        <Text size="sm" role="status">
          Your private balance is being set up on chain: it becomes active once the chain confirms it. This
          page follows it.
        </Text>
      ) : (
        <RegisteredBalance encrypted={encrypted} address={address} />
      )}
    </Stack>
  );
}

/** The person's private balance on chain: set up, followed until active, read in the page. Hidden on a chain without encrypted credits. */
export function EncryptedCreditsSection({
  encrypted,
  address,
  linked,
  reload,
}: {
  encrypted: EncryptedCredits;
  address: Address | undefined;
  linked: boolean;
  reload: () => Promise<void>;
}) {
  if (!encrypted.enabled) return null;
  return (
    <SectionCard title="Private balance on chain" description={PRIVATE_INTRO}>
      <AccountState encrypted={encrypted} address={address} linked={linked} reload={reload} />
    </SectionCard>
  );
}
