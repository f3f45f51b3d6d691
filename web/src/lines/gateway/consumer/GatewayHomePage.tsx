import { Anchor, Button, Group, List, Stack, Text, Title } from '@mantine/core';
import { useCallback } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { LoadingState, NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { usePolling } from '../../../hooks/usePolling';
import { useSession } from '../../../session/SessionContext';
import { CataloguePage } from '../catalogue/CataloguePage';
import { StateBadge } from '../components/StateBadge';
import { useGatewayBalance, useGrants } from '../data';
import { formatUsdc } from '../format';
import { GatewayFrame } from '../GatewayTabs';
import type { GatewayBalance } from '../types';
import { CallsTable, DepositsTable } from './tables';

/** How often the overview reads the balance again: calls made by an MCP client show up by themselves. */
const REFRESH_MS = 4000;

/** What to do next, in words, for each of the seed's user states. */
export function nextStepOf(balance: GatewayBalance) {
  switch (balance.state) {
    case 'no_credits':
      return (
        <>
          You have no credits yet.{' '}
          <Anchor component={Link} to="/gateway/deposit">
            Deposit USDC
          </Anchor>{' '}
          from a wallet linked to your account to start calling MCP servers.
        </>
      );
    case 'insufficient_credits':
      return (
        <>
          Your balance is below the price of the cheapest paid tool: calls to paid tools are refused until you{' '}
          <Anchor component={Link} to="/gateway/deposit">
            top up
          </Anchor>
          .
        </>
      );
    case 'withdrew_funds':
      return (
        <>
          You withdrew your credits.{' '}
          <Anchor component={Link} to="/gateway/deposit">
            Deposit again
          </Anchor>{' '}
          to call MCP servers.
        </>
      );
    default:
      return (
        <>
          You can call MCP servers: give your MCP client a{' '}
          <Anchor component={Link} to="/gateway/sessions">
            session key
          </Anchor>
          , or try a tool in the{' '}
          <Anchor component={Link} to="/gateway/playground">
            playground
          </Anchor>
          .
        </>
      );
  }
}

/** The balance, exact, with the person's state and the next step. */
export function BalanceCard({ balance }: { balance: GatewayBalance }) {
  return (
    <SectionCard
      title="Balance"
      description="Prepaid USDC credits: each paid tool call is taken from them as it is served."
      actions={
        <Group gap="xs">
          <Button component={Link} to="/gateway/deposit" size="xs">
            Deposit
          </Button>
          <Button component={Link} to="/gateway/withdraw" size="xs" variant="default">
            Withdraw
          </Button>
        </Group>
      }
    >
      <Stack gap="md">
        <Group gap="sm" align="baseline">
          <Title order={3} size="h1" aria-label={`Available: ${formatUsdc(balance.available)}`}>
            <span data-testid="gateway-available">{formatUsdc(balance.available)}</span>
          </Title>
          <Text c="dimmed">available</Text>
          <StateBadge state={balance.state} aria-label={`State: ${balance.state}`} />
        </Group>
        <Text size="sm" role="status">
          {nextStepOf(balance)}
          {balance.held !== '0' &&
            ` ${formatUsdc(balance.held)} is held for calls running now and withdrawals on their way.`}
        </Text>
        <Facts
          facts={[
            { label: 'Held', value: formatUsdc(balance.held) },
            { label: 'Deposited', value: formatUsdc(balance.deposited) },
            { label: 'Spent', value: formatUsdc(balance.spent) },
          ]}
        />
      </Stack>
    </SectionCard>
  );
}

function Overview() {
  const balance = useGatewayBalance();
  const grants = useGrants();
  const loadDeposits = useCallback(
    (cursor?: string) => call(api.GET('/api/gateway/deposits', { params: { query: { cursor, limit: 5 } } })),
    [],
  );
  const loadCalls = useCallback(
    (cursor?: string) => call(api.GET('/api/gateway/calls', { params: { query: { cursor, limit: 10 } } })),
    [],
  );
  const deposits = useCursorPages('gateway-recent-deposits', loadDeposits);
  const calls = useCursorPages('gateway-recent-calls', loadCalls);
  usePolling(async () => {
    await Promise.all([balance.reload(), calls.reload(), deposits.reload()]);
  }, REFRESH_MS);

  return (
    <Stack gap="lg">
      <ResourceView resource={balance} loadingLabel="Reading your balance…">
        {(data) => <BalanceCard balance={data} />}
      </ResourceView>
      <SectionCard
        title="Recent deposits"
        actions={
          <Button component={Link} to="/gateway/deposit" variant="default" size="xs">
            All deposits
          </Button>
        }
      >
        <ResourceView
          resource={deposits.first}
          loadingLabel="Loading your deposits…"
          isEmpty={(page) => page.items.length === 0}
          empty={
            <NothingYet
              title="No deposit yet"
              action={
                <Button component={Link} to="/gateway/deposit">
                  Make a first deposit
                </Button>
              }
            >
              A deposit is one signature of your wallet: USDC moves to Tally and becomes credits once the
              chain confirms it.
            </NothingYet>
          }
        >
          {() => (
            <DepositsTable deposits={deposits.items.slice(0, 5)} label="Recent deposits" exportable={false} />
          )}
        </ResourceView>
      </SectionCard>
      <SectionCard
        title="Recent calls"
        actions={
          <Button component={Link} to="/gateway/history" variant="default" size="xs">
            Whole history
          </Button>
        }
      >
        <ResourceView
          resource={calls.first}
          loadingLabel="Loading your calls…"
          isEmpty={(page) => page.items.length === 0}
          empty={
            <NothingYet
              title="No call yet"
              action={
                <Button component={Link} to="/gateway/playground" variant="default">
                  Try a tool in the playground
                </Button>
              }
            >
              Calls made through Tally appear here with what each cost.
            </NothingYet>
          }
        >
          {() => (
            <CallsTable
              calls={calls.items.slice(0, 10)}
              grants={grants.data}
              label="Recent calls"
              searchable={false}
            />
          )}
        </ResourceView>
      </SectionCard>
    </Stack>
  );
}

function HowItWorks() {
  return (
    <SectionCard title="How it works">
      <List type="ordered" spacing="xs" size="sm">
        <List.Item>Create an account and link a wallet by signing in with it.</List.Item>
        <List.Item>
          Deposit USDC by signing one authorization (EIP-3009): no transaction to send, no gas to pay.
        </List.Item>
        <List.Item>
          Give your MCP client a session key with a cap, and call any server below at its endpoint. Each paid
          call is taken from your credits as it is served; a failed call is refunded.
        </List.Item>
        <List.Item>Withdraw what is left back to your wallet at any time.</List.Item>
      </List>
      <Text size="sm">
        Running an MCP server?{' '}
        <Anchor component={Link} to="/gateway/provider">
          Become a provider
        </Anchor>
        : price your tools, and be paid daily for the calls they serve.
      </Text>
    </SectionCard>
  );
}

/** /gateway: a signed-in person's overview; for a visitor, how it works and the catalogue. */
export function GatewayHomePage() {
  const { session } = useSession();
  if (session.status === 'loading') return <LoadingState label="Checking who is signed in…" />;
  if (session.status !== 'signed-in') return <CataloguePage title="Gateway" intro={<HowItWorks />} />;
  return (
    <GatewayFrame
      title="Gateway"
      description="Your prepaid USDC credits for MCP servers: the balance, what you deposited and what your calls cost."
    >
      <Overview />
    </GatewayFrame>
  );
}
