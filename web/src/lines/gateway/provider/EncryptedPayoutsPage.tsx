import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { type Address, getAddress, isAddressEqual } from 'viem';
import { useConfig, useConnection } from 'wagmi';
import { signMessage, signTypedData } from 'wagmi/actions';
import type { KeyPair } from '../../../../../src/chain/zk/elgamal';
import { api, call } from '../../../api/client';
import { ApiError } from '../../../api/errors';
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
import { walletErrorMessage } from '../../../wallet/signInWithEthereum';
import { useChain } from '../../../wallet/WalletProvider';
import { WithWallets } from '../../../wallet/WithWallets';
import { usdcCsv } from '../components/csv';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { refusalOf } from '../components/serverErrors';
import { useOwnProvider } from '../data';
import { formatMoment, formatUsdc } from '../format';
import { ProviderFrame } from '../GatewayTabs';
import type { GatewayEncrypted, GatewayEncryptedClaim, GatewayProvider } from '../types';
import {
  ciphertextFromJson,
  ciphertextToJson,
  isAccountKey,
  keyFromSignature,
  keyJson,
  type ReadBalance,
  readBalance,
  SEARCH_LIMIT,
  wholeWithdrawal,
} from './encryptedBalance';
import { NotAProvider } from './ProviderPage';

/** How often the page looks again while the chain has something on its way (a registration, a claim). */
const FOLLOW_MS = 2000;

const refusalFrom = (error: unknown): Refusal =>
  error instanceof ApiError ? refusalOf(error) : { message: walletErrorMessage(error) };

/** What an encrypted account is, for a provider who never heard of one. */
export function EncryptedIntro() {
  return (
    <Text size="sm">
      With an encrypted account, your payouts land on chain encrypted: nobody but you and Tally can read the
      amounts. Claiming turns them into USDC at your payout address, and Tally pays the gas.
    </Text>
  );
}

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

type CreateStep = 'key' | 'terms' | 'registration' | 'sending';

const createStepWords: Record<CreateStep, string> = {
  key: 'Sign the key message in your wallet…',
  terms: 'Preparing the registration…',
  registration: 'Sign the registration in your wallet…',
  sending: 'Sending the registration to Tally…',
};

function CreateAccount({
  encrypted,
  onRegistered,
}: {
  encrypted: GatewayEncrypted;
  onRegistered: () => Promise<void>;
}) {
  const config = useConfig();
  const wallet = usePayoutWallet(encrypted.payout_address);
  const [step, setStep] = useState<CreateStep | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const failed = encrypted.account?.state === 'failed';

  const create = async (address: Address) => {
    setRefusal(null);
    try {
      setStep('key');
      const key = keyFromSignature(
        await signMessage(config, { account: address, message: encrypted.key_message }),
      );
      setStep('terms');
      const terms = await call(
        api.POST('/api/gateway/provider/encrypted/registration', { body: { key: keyJson(key) } }),
      );
      setStep('registration');
      const signature = await signTypedData(config, {
        account: address,
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
        api.POST('/api/gateway/provider/encrypted/key', {
          body: { address, key: keyJson(key), signature },
        }),
      );
      await onRegistered();
    } catch (error) {
      setRefusal(refusalFrom(error));
    } finally {
      setStep(null);
    }
  };

  return (
    <Stack gap="sm">
      {failed ? (
        <Alert color="red" variant="light" title="The registration failed on chain">
          {encrypted.account?.failure ?? 'The chain refused it.'} Create the account again.
        </Alert>
      ) : (
        <Text size="sm">
          You have no encrypted account yet: your payouts are sent as plain USDC to your payout address.
        </Text>
      )}
      <Group gap="sm">
        <Button
          onClick={() => wallet.address && void create(wallet.address)}
          loading={step !== null}
          disabled={wallet.address === null}
        >
          Create my encrypted account
        </Button>
        {step && (
          <Text size="sm" role="status">
            {createStepWords[step]}
          </Text>
        )}
      </Group>
      {wallet.problem && (
        <Text size="sm" c="dimmed">
          {wallet.problem}
        </Text>
      )}
      <RefusalAlert refusal={refusal} />
      <Text size="xs" c="dimmed">
        Your wallet signs twice: a message your key is made from (the same wallet always makes the same key,
        so you keep no extra secret), then the key's registration. Tally submits the registration; you send no
        transaction and pay no gas.
      </Text>
    </Stack>
  );
}

function BalanceWords({ reading, claimable }: { reading: ReadBalance; claimable: string }) {
  if (reading.kind === 'unreadable') {
    return (
      <Alert color="orange" variant="light" role="status" title="Your balance could not be read">
        It is not below {formatUsdc(SEARCH_LIMIT - 1n)}, or not encrypted to your key. Tally's ledger says{' '}
        {formatUsdc(claimable)}.
      </Alert>
    );
  }
  return (
    <Stack gap={4}>
      <Group gap="sm" align="baseline">
        <Title order={3} size="h1" data-testid="encrypted-balance">
          {formatUsdc(reading.value)}
        </Title>
        <Text c="dimmed">in your encrypted account</Text>
      </Group>
      <Text size="sm" role="status" data-testid="encrypted-balance-check">
        {reading.matchesLedger
          ? `This matches Tally's ledger (${formatUsdc(claimable)}).`
          : `Tally's ledger says ${formatUsdc(claimable)}: the chain holds another amount for your key. A payout may still be on its way; look again in a minute.`}
      </Text>
    </Stack>
  );
}

type ClaimStep = 'proving' | 'sending';

function RegisteredAccount({
  encrypted,
  reload,
}: {
  encrypted: GatewayEncrypted;
  reload: () => Promise<void>;
}) {
  const config = useConfig();
  const account = encrypted.account!;
  const wallet = usePayoutWallet(encrypted.payout_address);
  // The key lives in this page's memory only: the wallet makes it again on the next visit.
  const [key, setKey] = useState<KeyPair | null>(null);
  const [signing, setSigning] = useState(false);
  const [reading, setReading] = useState<{ of: string; result: ReadBalance } | null>(null);
  const [claimStep, setClaimStep] = useState<ClaimStep | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const balanceId = encrypted.balance ? `${JSON.stringify(encrypted.balance)}:${encrypted.claimable}` : null;

  useEffect(() => {
    if (!key || !encrypted.balance || !balanceId) return;
    const balance = ciphertextFromJson(encrypted.balance);
    const ledger = BigInt(encrypted.claimable);
    // A balance that differs from the ledger is searched for, a second or two on the page's thread:
    // the timer lets "Reading…" show first.
    const timer = setTimeout(() => {
      setReading({ of: balanceId, result: readBalance(balance, key.secret, ledger) });
    }, 20);
    return () => clearTimeout(timer);
  }, [key, balanceId, encrypted.balance, encrypted.claimable]);
  const current = reading && reading.of === balanceId ? reading.result : null;
  // The key goes with the wallet that made it: disconnected or replaced, it is dropped. A wallet
  // reconnecting for a moment is neither.
  const connection = useConnection();
  const connectedAddress = connection.status === 'connected' ? connection.address : null;
  const disconnected = connection.status === 'disconnected';
  useEffect(() => {
    if (disconnected || (connectedAddress && !isAddressEqual(connectedAddress, account.address as Address)))
      setKey(null);
  }, [disconnected, connectedAddress, account.address]);

  const show = async (address: Address) => {
    setRefusal(null);
    setSigning(true);
    try {
      const made = keyFromSignature(
        await signMessage(config, { account: address, message: encrypted.key_message }),
      );
      if (!isAccountKey(made, account.key)) {
        setRefusal({
          message:
            'This signature makes another key than the one your account registered: sign with the payout wallet that created the account.',
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
      {!encrypted.balance ? (
        <Text size="sm">
          The chain's balance of your account could not be read now; look again in a minute.
        </Text>
      ) : key === null ? (
        <Group gap="sm">
          <Button
            variant="default"
            onClick={() => wallet.address && void show(wallet.address)}
            loading={signing}
            disabled={wallet.address === null}
          >
            Show my balance
          </Button>
          <Text size="sm" c="dimmed">
            {signing
              ? 'Sign the key message in your wallet…'
              : 'Your wallet signs the key message again: your key reads the balance in this page, and is kept nowhere.'}
          </Text>
        </Group>
      ) : current === null ? (
        <Text size="sm" role="status">
          Reading your balance…
        </Text>
      ) : (
        <BalanceWords reading={current} claimable={encrypted.claimable} />
      )}
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
      <RefusalAlert refusal={refusal} />
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
      <SectionCard title="Encrypted account" description={<EncryptedIntro />}>
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
            <SectionCard title="Encrypted account" description={<EncryptedIntro />}>
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
