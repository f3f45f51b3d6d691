import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { type Address, getAddress, isAddressEqual } from 'viem';
import { useConnection } from 'wagmi';
import { api, call } from '../../../api/client';
import { type Column, DataTable } from '../../../components/DataTable';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePolling } from '../../../hooks/usePolling';
import { useResource } from '../../../hooks/useResource';
import { csvTime } from '../../../lib/table';
import { ConnectionSection } from '../../../pages/wallet/ConnectionSection';
import { NoChainAlert } from '../../../wallet/NoChainAlert';
import { useChain } from '../../../wallet/WalletProvider';
import { WithWallets } from '../../../wallet/WithWallets';
import { usdcCsv } from '../components/csv';
import { RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { useOwnProvider } from '../data';
import { type BalanceWords, EncryptedBalanceReading } from '../encrypted/EncryptedBalanceReading';
import { ciphertextFromJson, ciphertextToJson, wholeWithdrawal } from '../encrypted/encryptedBalance';
import { KeyRegistration, type RegistrationWords } from '../encrypted/KeyRegistration';
import { refusalFrom, useEncryptedBalance, useKeyRegistration } from '../encrypted/useEncryptedBalance';
import { formatMoment, formatUsdc } from '../format';
import { ProviderFrame } from '../GatewayTabs';
import type { GatewayEncrypted, GatewayEncryptedClaim, GatewayProvider } from '../types';
import { NotAProvider } from './ProviderPage';

/** How often the page looks again while the chain has something on its way (a registration, a claim). */
const FOLLOW_MS = 2000;

/** What an encrypted account is, for a provider who never heard of one (a section's description, which is a paragraph already). */
const encryptedIntro =
  'With an encrypted account, your payouts land on chain encrypted: nobody but you and Tally can read the amounts. Claiming turns them into USDC at your payout address, and Tally pays the gas.';

function ClaimsTable({ claims }: { claims: GatewayEncryptedClaim[] }) {
  const columns: Column<GatewayEncryptedClaim>[] = [
    {
      id: 'amount',
      header: 'Amount',
      align: 'right',
      nowrap: true,
      cell: (c) => formatUsdc(c.amount),
      sortValue: (c) => BigInt(c.amount),
      csv: (c) => usdcCsv(c.amount),
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (c) => <StateBadge state={c.state} />,
      sortValue: (c) => c.state,
      csv: (c) => c.state,
    },
    {
      id: 'to',
      header: 'To',
      cell: (c) => (
        <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {c.to}
        </Text>
      ),
      csv: (c) => c.to,
    },
    {
      id: 'created',
      header: 'Claimed',
      nowrap: true,
      cell: (c) => formatMoment(c.created_at),
      sortValue: (c) => c.created_at,
      csv: (c) => csvTime(c.created_at),
    },
    {
      id: 'finished',
      header: 'Finished',
      nowrap: true,
      cell: (c) => (c.failure ? `failed: ${c.failure}` : formatMoment(c.finished_at, 'not yet')),
      sortValue: (c) => c.finished_at,
      csv: (c) => csvTime(c.finished_at),
    },
  ];
  return (
    <DataTable
      label="Claims"
      rows={claims}
      columns={columns}
      rowKey={(c) => c.id}
      exportName="gateway-encrypted-claims"
      initialSort={{ columnId: 'created', direction: 'descending' }}
    />
  );
}

/** The connected wallet, when it is the payout address (the only wallet that signs for the account). */
function usePayoutWallet(payoutAddress: string): { address: Address | null; problem: string | null } {
  const connection = useConnection();
  if (connection.status !== 'connected') {
    return {
      address: null,
      problem: `Connect your payout wallet (${getAddress(payoutAddress)}) above: it alone signs for your encrypted account.`,
    };
  }
  if (!isAddressEqual(connection.address, payoutAddress as Address)) {
    return {
      address: null,
      problem: `The connected wallet is ${connection.address}, not your payout address ${getAddress(payoutAddress)}: connect the payout wallet, which alone signs for your encrypted account.`,
    };
  }
  return { address: connection.address, problem: null };
}

const registrationWords: RegistrationWords = {
  failed: 'The registration failed on chain',
  again: 'Create the account again.',
  none: (
    <Text size="sm">
      You have no encrypted account yet: your payouts are sent as plain USDC to your payout address.
    </Text>
  ),
  fineprint:
    "Your wallet signs twice: a message your key is made from (the same wallet always makes the same key, so you keep no extra secret), then the key's registration. Tally submits the registration; you send no transaction and pay no gas.",
};

function CreateAccount({
  encrypted,
  onRegistered,
}: {
  encrypted: GatewayEncrypted;
  onRegistered: () => Promise<void>;
}) {
  const wallet = usePayoutWallet(encrypted.payout_address);
  const registration = useKeyRegistration({
    keyMessage: encrypted.key_message,
    terms: (_address, key) =>
      call(api.POST('/api/gateway/provider/encrypted/registration', { body: { key } })),
    send: (body) => call(api.POST('/api/gateway/provider/encrypted/key', { body })),
    registered: onRegistered,
  });
  return (
    <KeyRegistration
      registration={registration}
      failed={encrypted.account?.state === 'failed'}
      failure={encrypted.account?.failure}
      label="Create my encrypted account"
      signer={wallet.address}
      disabled={wallet.address === null}
      note={
        wallet.problem && (
          <Text size="sm" c="dimmed">
            {wallet.problem}
          </Text>
        )
      }
      words={registrationWords}
    />
  );
}

const balanceWords: BalanceWords = {
  unavailable: "The chain's balance of your account could not be read now; look again in a minute.",
  show: 'Show my balance',
  reading: 'Reading your balance…',
  unreadable: 'Your balance could not be read',
  record: 'ledger',
  held: 'in your encrypted account',
  onTheWay: 'A payout',
  testId: 'encrypted-balance',
};

type ClaimStep = 'proving' | 'sending';

function RegisteredAccount({
  encrypted,
  reload,
}: {
  encrypted: GatewayEncrypted;
  reload: () => Promise<void>;
}) {
  const account = encrypted.account!;
  const wallet = usePayoutWallet(encrypted.payout_address);
  // The key goes with the wallet that made it: disconnected or replaced, it is dropped. A wallet
  // reconnecting for a moment is neither.
  const connection = useConnection();
  const connectedAddress = connection.status === 'connected' ? connection.address : null;
  const reader = useEncryptedBalance({
    keyMessage: encrypted.key_message,
    registeredKey: account.key,
    balance: encrypted.balance,
    ledger: encrypted.claimable,
    otherKey:
      'This signature makes another key than the one your account registered: sign with the payout wallet that created the account.',
    walletGone:
      connection.status === 'disconnected' ||
      Boolean(connectedAddress && !isAddressEqual(connectedAddress, account.address as Address)),
  });
  const { key, current, setRefusal } = reader;
  const [claimStep, setClaimStep] = useState<ClaimStep | null>(null);

  const claim = async (value: bigint) => {
    if (!key || !encrypted.balance) return;
    setRefusal(null);
    try {
      setClaimStep('proving');
      const withdrawal = wholeWithdrawal({
        key,
        balance: ciphertextFromJson(encrypted.balance),
        value,
        address: account.address,
      });
      const { proveWithdrawal } = await import('./claimProof');
      const proof = await proveWithdrawal(withdrawal.inputs);
      setClaimStep('sending');
      const claimed = await call(
        api.POST('/api/gateway/provider/encrypted/claims', {
          body: {
            amount: value.toString(),
            new_balance: ciphertextToJson(withdrawal.statement.newBalance),
            proof,
          },
        }),
      );
      notifications.show({
        color: 'teal',
        message: `${formatUsdc(claimed.amount)} is on its way to ${claimed.to} as USDC.`,
      });
      await reload();
    } catch (error) {
      setRefusal(refusalFrom(error));
    } finally {
      setClaimStep(null);
    }
  };

  const claimBlocked = (): string | null => {
    if (!encrypted.can_claim) {
      if (encrypted.claims.some((c) => c.state === 'pending'))
        return 'A claim is on its way: the next can be made once it is paid.';
      if (encrypted.payout_landing)
        return 'A payout is landing in your account: claim once it has landed, in a minute or so.';
      if (encrypted.claimable === '0') return 'Nothing to claim: payouts land here after a settlement run.';
      return 'Claiming needs approved KYC.';
    }
    if (current?.kind !== 'read') return 'Show your balance first: the claim is made from it.';
    if (current.value === 0n) return 'Nothing to claim: your encrypted balance is empty.';
    return null;
  };
  const blocked = claimBlocked();

  return (
    <Stack gap="md">
      <EncryptedBalanceReading
        reader={reader}
        hasBalance={Boolean(encrypted.balance)}
        ledger={encrypted.claimable}
        signer={wallet.address}
        hint="Your wallet signs the key message again: your key reads the balance in this page, and is kept nowhere."
        words={balanceWords}
      />
      {wallet.problem && key === null && (
        <Text size="sm" c="dimmed">
          {wallet.problem}
        </Text>
      )}
      <Group gap="sm">
        <Button
          onClick={() => current?.kind === 'read' && void claim(current.value)}
          loading={claimStep !== null}
          disabled={blocked !== null}
        >
          Claim to USDC
        </Button>
        {claimStep ? (
          <Text size="sm" role="status">
            {claimStep === 'proving'
              ? 'Proving your withdrawal in this page… a second or two.'
              : 'Sending the claim to Tally…'}
          </Text>
        ) : (
          blocked && (
            <Text size="sm" c="dimmed">
              {blocked}{' '}
              {blocked === 'Claiming needs approved KYC.' && (
                <Anchor component={Link} to="/gateway/provider/kyc" size="sm">
                  Your KYC
                </Anchor>
              )}
            </Text>
          )
        )}
      </Group>
      <RefusalAlert refusal={reader.refusal} />
    </Stack>
  );
}

function AccountState({ encrypted, reload }: { encrypted: GatewayEncrypted; reload: () => Promise<void> }) {
  const account = encrypted.account;
  if (!account || account.state === 'failed')
    return <CreateAccount encrypted={encrypted} onRegistered={reload} />;
  return (
    <Stack gap="md">
      <Facts
        facts={[
          { label: 'State', value: <StateBadge state={account.state} /> },
          { label: 'Address', value: account.address },
          {
            label: 'Registered',
            value: account.registered_at ? formatMoment(account.registered_at) : 'not yet',
          },
        ]}
      />
      {account.state === 'registering' ? (
        <Text size="sm" role="status">
          Your key's registration is on its way to the chain: this page follows it until it is registered.
        </Text>
      ) : (
        <RegisteredAccount encrypted={encrypted} reload={reload} />
      )}
    </Stack>
  );
}

function EncryptedWithWallet({
  encrypted,
  reload,
}: {
  encrypted: GatewayEncrypted;
  reload: () => Promise<void>;
}) {
  const chain = useChain();
  if (chain.status === 'unavailable') {
    return (
      <NoChainAlert reason={chain.error.message}>
        Tally's chain cannot be reached now, so your wallet cannot sign for your encrypted account.
      </NoChainAlert>
    );
  }
  return (
    <Stack gap="lg">
      <ConnectionSection chain={chain.chain} development={chain.info.development} />
      <SectionCard title="Encrypted account" description={encryptedIntro}>
        <AccountState encrypted={encrypted} reload={reload} />
      </SectionCard>
    </Stack>
  );
}

function EncryptedPayouts({ provider }: { provider: GatewayProvider }) {
  const encrypted = useResource(`gateway-encrypted:${provider.id}`, () =>
    call(api.GET('/api/gateway/provider/encrypted')),
  );
  const data = encrypted.data;
  const following =
    data?.account?.state === 'registering' || Boolean(data?.claims.some((c) => c.state === 'pending'));
  usePolling(encrypted.reload, FOLLOW_MS, following);
  return (
    <ResourceView resource={encrypted} loadingLabel="Loading your encrypted account…">
      {(loaded) => (
        <Stack gap="lg">
          {loaded.enabled ? (
            <WithWallets>
              <EncryptedWithWallet encrypted={loaded} reload={encrypted.reload} />
            </WithWallets>
          ) : (
            <SectionCard title="Encrypted account" description={encryptedIntro}>
              <Alert color="gray" variant="light" role="status" title="Not on this Tally">
                This Tally's chain has no encrypted credits: your payouts are plain USDC, sent to your payout
                address.{' '}
                <Anchor component={Link} to="/gateway/provider/earnings" size="sm">
                  Your earnings
                </Anchor>
              </Alert>
            </SectionCard>
          )}
          <SectionCard
            title="Claims"
            description="Your encrypted balance turned into USDC at your account's address."
          >
            {loaded.claims.length === 0 ? (
              <NothingYet title="No claim yet">
                Once a settlement pays you into your encrypted account, show your balance and claim it.
              </NothingYet>
            ) : (
              <ClaimsTable claims={loaded.claims} />
            )}
          </SectionCard>
        </Stack>
      )}
    </ResourceView>
  );
}

/** /gateway/provider/encrypted: the provider's encrypted account, its balance read in the page, its claims. */
export function EncryptedPayoutsPage() {
  const provider = useOwnProvider();
  return (
    <ProviderFrame
      title="Encrypted payouts"
      description="Payouts nobody else can read on chain, claimed to USDC when you choose."
    >
      <ResourceView resource={provider} loadingLabel="Loading your provider profile…">
        {(data) => (data ? <EncryptedPayouts provider={data} /> : <NotAProvider />)}
      </ResourceView>
    </ProviderFrame>
  );
}
