import { Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import { api, call } from '../../api/client';
import type { ChainStatus } from '../../api/types';
import { Facts } from '../../components/Facts';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { SectionCard } from '../../components/SectionCard';
import { NothingYet } from '../../components/States';
import { usePolling } from '../../hooks/usePolling';
import { useResource } from '../../hooks/useResource';
import { formatDateTime } from '../../lib/dates';
import { formatMinor, formatMinorNumber } from '../../lib/money';
import { NoChainAlert } from '../../wallet/NoChainAlert';
import { useChain } from '../../wallet/WalletProvider';
import { ChainTransactionsTable } from './ChainTransactionsTable';

const REFRESH_MS = 3000;
const GWEI_DECIMALS = 9;

function ChainSection({ status }: { status: ChainStatus }) {
  const { chain, head } = status;
  return (
    <SectionCard title="Chain">
      <Facts
        facts={[
          { label: 'Name', value: chain.name },
          { label: 'Chain id', value: chain.chain_id },
          {
            label: 'Mode',
            value: chain.development ? (
              <Badge variant="light" color="grape">
                development (embedded)
              </Badge>
            ) : (
              <Badge variant="light" color="blue">
                external
              </Badge>
            ),
          },
          { label: 'Head block', value: `#${head.number} · ${formatDateTime(head.timestamp)}` },
          { label: 'Gas price', value: `${formatMinorNumber(status.gas_price, GWEI_DECIMALS)} gwei` },
          { label: 'Confirmations', value: chain.confirmations },
        ]}
      />
    </SectionCard>
  );
}

function TreasurySection({ status }: { status: ChainStatus }) {
  const { treasury } = status;
  return (
    <SectionCard
      title="Treasury"
      description="Tally's hot wallet: it pays out, mints on the development chain, and pays for gas."
    >
      <Facts
        facts={[
          { label: 'Address', value: <Code style={{ wordBreak: 'break-all' }}>{treasury.address}</Code> },
          { label: 'Next nonce', value: treasury.next_nonce ?? 'none used yet' },
        ]}
      />
      <Table.ScrollContainer minWidth={320}>
        <Table aria-label="Treasury balances" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Asset</Table.Th>
              <Table.Th ta="right">Balance</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {treasury.balances.map((balance) => (
              <Table.Tr key={balance.symbol}>
                <Table.Td>{balance.symbol}</Table.Td>
                <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                  {formatMinor(balance.amount, balance.decimals, balance.symbol)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </SectionCard>
  );
}

function TransactionsSection({ status }: { status: ChainStatus }) {
  const { queued, pending, open, recent } = status.transactions;
  const openIds = new Set(open.map((transaction) => transaction.id));
  const finished = recent.filter((transaction) => !openIds.has(transaction.id));
  return (
    <SectionCard
      title="Transactions"
      description="What the treasury sends: open ones first (queued to be sent, or pending in the chain), then the latest."
      actions={
        <Group gap="xs">
          <Badge variant="light" color="gray">
            {queued} queued
          </Badge>
          <Badge variant="light" color="blue">
            {pending} pending
          </Badge>
        </Group>
      }
    >
      {open.length === 0 && finished.length === 0 ? (
        <NothingYet title="No transactions yet">
          Tally has sent nothing on this chain yet. Faucet requests, payouts and settlements appear here.
        </NothingYet>
      ) : (
        <Stack gap="md">
          {open.length > 0 && <ChainTransactionsTable transactions={open} label="Open transactions" />}
          {finished.length > 0 && (
            <ChainTransactionsTable transactions={finished} label="Recent transactions" />
          )}
        </Stack>
      )}
    </SectionCard>
  );
}

function lagText(lag: string | null): string {
  if (lag === null) return 'unknown';
  if (lag === '0') return 'at the head';
  return lag === '1' ? '1 block' : `${lag} blocks`;
}

function FollowersSection({ status }: { status: ChainStatus }) {
  return (
    <SectionCard
      title="Followers"
      description="Tally's readers of blocks and logs, and how far behind the head each is."
    >
      {status.followers.length === 0 ? (
        <Text size="sm">No follower has read a block yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Followers" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Follower</Table.Th>
                <Table.Th ta="right">Block</Table.Th>
                <Table.Th ta="right">Lag</Table.Th>
                <Table.Th ta="right">Unconfirmed events</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {status.followers.map((follower) => (
                <Table.Tr key={follower.follower}>
                  <Table.Td>
                    <Code>{follower.follower}</Code>
                  </Table.Td>
                  <Table.Td ta="right">#{follower.block_number}</Table.Td>
                  <Table.Td ta="right">{lagText(follower.lag)}</Table.Td>
                  <Table.Td ta="right">{follower.unconfirmed_events}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(follower.updated_at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </SectionCard>
  );
}

function ChainStatusView() {
  const status = useResource('chain-status', () => call(api.GET('/api/chain/status')));
  usePolling(status.reload, REFRESH_MS);
  return (
    <ResourceView resource={status} loadingLabel="Reading the chain's status…">
      {(data) => (
        <Stack gap="lg">
          <ChainSection status={data} />
          <TreasurySection status={data} />
          <TransactionsSection status={data} />
          <FollowersSection status={data} />
        </Stack>
      )}
    </ResourceView>
  );
}

/** /admin/chain: the chain, the treasury, what Tally sends and how far its followers have read. */
export function ChainStatusPage() {
  const chain = useChain();
  return (
    <>
      <PageHeader
        title="Chain"
        description={`The chain Tally pays on, its treasury and its transactions; refreshed every ${REFRESH_MS / 1000} seconds.`}
      />
      {chain.status === 'unavailable' ? (
        <NoChainAlert reason={chain.error.message}>
          Tally started without a chain, or could not reach it when this page loaded. Without CHAIN_RPC_URL
          Tally runs its own development chain; its log says why none is connected. Reload once it is.
        </NoChainAlert>
      ) : (
        <ChainStatusView />
      )}
    </>
  );
}
