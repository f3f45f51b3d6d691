import { Stack, Text } from '@mantine/core';
import { type Address, getAddress, isAddressEqual } from 'viem';
import { api, call } from '../../../api/client';
import { Facts } from '../../../components/Facts';
import { SectionCard } from '../../../components/SectionCard';
import { usePolling } from '../../../hooks/usePolling';
import { useResource } from '../../../hooks/useResource';
import { RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { type BalanceWords, EncryptedBalanceReading } from '../encrypted/EncryptedBalanceReading';
import { KeyRegistration, type RegistrationWords } from '../encrypted/KeyRegistration';
import { useEncryptedBalance, useKeyRegistration } from '../encrypted/useEncryptedBalance';
import { formatMoment, formatUsdc } from '../format';

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

/** What the private balance is, for a person who never heard of encrypted balances. */
const PRIVATE_INTRO =
  'Your deposit itself is still public on chain, but the balance it adds to and what you spend from it are encrypted: only you and Tally can read them.';

type SectionProps = {
  encrypted: EncryptedCredits;
  address: Address | undefined;
  linked: boolean;
  reload: () => Promise<void>;
};

const registrationWords: RegistrationWords = {
  failed: 'Setting up your private balance failed on chain',
  again: 'Set it up again.',
  none: <Text size="sm">You have no private balance yet: your deposits are plain credits.</Text>,
  fineprint:
    "The connected wallet signs twice: a message your key is made from (the same wallet always makes the same key, so you keep no extra secret), then the key's registration. Tally sends it to the chain and pays the gas.",
};

function SetUp({ encrypted, address, linked, reload }: SectionProps) {
  const registration = useKeyRegistration({
    keyMessage: encrypted.key_message,
    terms: (from, key) =>
      call(api.POST('/api/gateway/encrypted/registration', { body: { address: from, key } })),
    send: (body) => call(api.POST('/api/gateway/encrypted/key', { body })),
    registered: reload,
  });
  const failed = encrypted.account?.state === 'failed';
  const blocked = !address
    ? 'Connect a wallet above first: your private balance is tied to it.'
    : !linked
      ? 'Link this wallet to your account above first: only a linked wallet can hold your private balance.'
      : null;
  return (
    <KeyRegistration
      registration={registration}
      failed={failed}
      failure={encrypted.account?.failure}
      label={failed ? 'Set up my private balance again' : 'Set up my private balance'}
      signer={address ?? null}
      disabled={blocked !== null}
      hint={blocked}
      words={registrationWords}
    />
  );
}

const balanceWords: BalanceWords = {
  unavailable: "The chain's copy of your private balance could not be read now; look again in a minute.",
  show: 'Show balance',
  reading: 'Reading your private balance…',
  unreadable: 'Your private balance could not be read',
  record: 'record',
  held: 'in your private balance on chain',
  onTheWay: 'A deposit',
  testId: 'private-balance',
};

function RegisteredBalance({
  encrypted,
  address,
}: {
  encrypted: EncryptedCredits;
  address: Address | undefined;
}) {
  const account = encrypted.account!;
  const tiedTo = getAddress(account.address);
  const own = Boolean(address && isAddressEqual(address, tiedTo));
  // The key goes with the wallet that made it: replaced by another, it is dropped.
  const reader = useEncryptedBalance({
    keyMessage: encrypted.key_message,
    registeredKey: account.key,
    balance: encrypted.balance,
    ledger: encrypted.on_chain,
    otherKey: `This signature makes another key than the one your private balance registered: sign with ${tiedTo}.`,
    walletGone: Boolean(address && !isAddressEqual(address, tiedTo)),
  });

  const unswept = BigInt(encrypted.unswept);
  return (
    <Stack gap="sm">
      <EncryptedBalanceReading
        reader={reader}
        hasBalance={Boolean(encrypted.balance)}
        ledger={encrypted.on_chain}
        signer={own && address ? address : null}
        hint={
          own
            ? 'Your wallet signs the key message again: your key reads the balance in this page, and is kept nowhere.'
            : `Connect ${tiedTo} above to read your private balance: only its signature makes your key.`
        }
        words={balanceWords}
      />
      <Text size="sm" data-testid="private-unswept">
        {unswept > 0n
          ? `${formatUsdc(unswept)} of it you spent since the last daily settlement: it leaves the chain balance at the next settlement.`
          : 'Nothing spent since the last daily settlement: what you spend leaves the chain balance at the next settlement.'}
      </Text>
      <RefusalAlert refusal={reader.refusal} />
    </Stack>
  );
}

function AccountState({ encrypted, address, linked, reload }: SectionProps) {
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
export function EncryptedCreditsSection({ encrypted, address, linked, reload }: SectionProps) {
  if (!encrypted.enabled) return null;
  return (
    <SectionCard title="Private balance on chain" description={PRIVATE_INTRO}>
      <AccountState encrypted={encrypted} address={address} linked={linked} reload={reload} />
    </SectionCard>
  );
}
