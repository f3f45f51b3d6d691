import { Anchor, Group, Stack, Text } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { StateBadge } from '../components/StateBadge';
import { formatMoment, formatUsdc } from '../format';
import { GatewayFrame } from '../GatewayTabs';
import { useFollowedDeposit } from './DepositFollower';
import { depositNextStep, PrivateBadge } from './tables';

const fromUnixSeconds = (seconds: string) => new Date(Number(seconds) * 1000).toISOString();

/** /gateway/deposits/:depositId: one deposit, its state followed live, and what was signed. */
export function DepositDetailPage() {
  const { depositId = '' } = useParams();
  const { deposit } = useFollowedDeposit(depositId);
  return (
    <GatewayFrame
      title={deposit.data ? `Deposit of ${formatUsdc(deposit.data.amount)}` : 'Deposit'}
      description={
        <Anchor component={Link} to="/gateway/deposit">
          All deposits
        </Anchor>
      }
    >
      <ResourceView resource={deposit} loadingLabel="Loading the deposit…">
        {(data) => (
          <Stack gap="lg">
            <SectionCard title="State">
              <Group gap="sm">
                <StateBadge state={data.state} />
                {data.encrypted && <PrivateBadge />}
                <Text size="sm" role="status">
                  {depositNextStep(data)}
                </Text>
              </Group>
            </SectionCard>
            <SectionCard
              title="The signed authorization"
              description={
                data.encrypted
                  ? 'EIP-3009 ReceiveWithAuthorization, to the encrypted credits contract: it went to your private balance.'
                  : "EIP-3009 ReceiveWithAuthorization, to Tally's treasury."
              }
            >
              <Facts
                facts={[
                  { label: 'Amount', value: formatUsdc(data.amount) },
                  { label: 'From wallet', value: <CopyValue value={data.from} label="Paying wallet" /> },
                  {
                    label: 'Kind',
                    value: data.kind === 'receive' ? 'ReceiveWithAuthorization' : 'TransferWithAuthorization',
                  },
                  { label: 'Valid from', value: formatMoment(fromUnixSeconds(data.valid_after)) },
                  { label: 'Valid until', value: formatMoment(fromUnixSeconds(data.valid_before)) },
                  { label: 'Nonce', value: <CopyValue value={data.nonce} label="Nonce" /> },
                  { label: 'Signed', value: formatMoment(data.created_at) },
                  {
                    label: 'Credited',
                    value: formatMoment(data.credited_at, data.state === 'failed' ? 'never' : 'not yet'),
                  },
                  ...(data.failure ? [{ label: 'Why it failed', value: data.failure }] : []),
                ]}
              />
            </SectionCard>
          </Stack>
        )}
      </ResourceView>
    </GatewayFrame>
  );
}
