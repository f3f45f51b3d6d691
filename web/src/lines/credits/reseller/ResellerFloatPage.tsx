import { Alert, Anchor, Badge, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { Facts } from '../../../components/Facts';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { formatCredits } from '../format';
import { AutoTopUpForm, TopUpForm } from './ResellerFloatForms';
import { ResellerFrame } from './ResellerFrame';

type Float = Awaited<ReturnType<typeof loadFloat>>;
const loadFloat = () => call(api.GET('/api/credits/whitelabel/float'));

function FloatSummary({ float }: { float: Float }) {
  const check = float.last_reconciliation;
  return (
    <Stack gap="sm">
      <Facts
        facts={[
          {
            label: 'Available in your shop',
            value: float.available === null ? 'cannot be read right now' : formatCredits(float.available),
          },
          { label: 'Moved in, ever', value: formatCredits(float.moved_in) },
          {
            label: 'On its way',
            value: `${formatCredits(float.pending_amount)} (${float.pending_count} top-up${float.pending_count === 1 ? '' : 's'})`,
          },
          { label: 'Your credits on Tally', value: formatCredits(float.main_available) },
        ]}
      />
      <Text size="sm" c="dimmed">
        {check
          ? check.difference === '0'
            ? `Last checked ${formatToTheSecond(check.checked_at)}: both ledgers agree.`
            : `Last checked ${formatToTheSecond(check.checked_at)}: off by ${formatCredits(check.difference)}; Tally’s administrators have been told.`
          : 'Not checked yet: both ledgers are compared every day.'}
      </Text>
    </Stack>
  );
}

const loadTopUps = (cursor?: string) =>
  call(api.GET('/api/credits/whitelabel/float/top-ups', { params: { query: { cursor, limit: 50 } } }));

function TopUpsList({ pages }: { pages: ReturnType<typeof useTopUps> }) {
  return (
    <>
      <ResourceView
        resource={pages.first}
        loadingLabel="Loading your top-ups…"
        isEmpty={(page) => page.items.length === 0}
        empty={<NothingYet title="No top-ups yet">Your top-ups appear here as they move in.</NothingYet>}
      >
        {() => (
          <Table aria-label="Top-ups">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Asked</Table.Th>
                <Table.Th>Credits</Table.Th>
                <Table.Th>How</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Arrived</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pages.items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{formatToTheSecond(t.created_at)}</Table.Td>
                  <Table.Td>{formatCredits(t.amount)}</Table.Td>
                  <Table.Td>{t.trigger === 'automatic' ? 'Automatic' : 'By hand'}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={t.state === 'applied' ? 'teal' : 'gray'}>
                      {t.state === 'applied' ? 'arrived' : 'on its way'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{t.applied_at ? formatToTheSecond(t.applied_at) : '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </ResourceView>
      <LoadOlder pages={pages} label="Load older top-ups" />
    </>
  );
}

const useTopUps = () => useCursorPages('credits-float-top-ups', loadTopUps);

/** /credits/reseller/float: the credits the reseller moved into its own database, ahead of its sales. */
export function ResellerFloatPage() {
  const float = useResource('credits-reseller-float', loadFloat);
  const topUps = useTopUps();
  const reload = async () => {
    await Promise.all([float.reload(), topUps.reload()]);
  };
  return (
    <ResellerFrame
      title="Your shop’s float"
      description="Your shop’s purchases draw on credits already in its own database: you move them in from your credits on Tally."
    >
      <ResourceView resource={float} loadingLabel="Loading your float…">
        {(data) => (
          <Stack gap="lg">
            {data.database_state !== 'ready' && (
              <Alert color="blue" variant="light" role="note" title="Your shop needs its own database first">
                A float lives in your shop’s own database.{' '}
                <Anchor component={Link} to="/credits/reseller">
                  Ask for it on your overview, once your domain is set.
                </Anchor>
              </Alert>
            )}
            <SectionCard title="Float">
              <FloatSummary float={data} />
            </SectionCard>
            <SectionCard
              title="Top up"
              description="The credits leave your credits on Tally at once and arrive in your shop within seconds."
            >
              <TopUpForm mainAvailable={data.main_available} onTopUp={reload} />
            </SectionCard>
            <SectionCard
              title="Automatic top-up"
              description="Never run dry: when the float falls under the threshold, Tally moves the amount in. If your credits do not cover it, you are told once."
            >
              <AutoTopUpForm current={data.settings} onSaved={reload} />
            </SectionCard>
            <SectionCard title="Top-ups">
              <TopUpsList pages={topUps} />
            </SectionCard>
          </Stack>
        )}
      </ResourceView>
    </ResellerFrame>
  );
}
