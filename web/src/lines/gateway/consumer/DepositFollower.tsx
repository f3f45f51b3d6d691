import { Anchor, Group, Loader, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { ErrorState } from '../../../components/States';
import { usePolling } from '../../../hooks/usePolling';
import { useResource } from '../../../hooks/useResource';
import { StateBadge } from '../components/StateBadge';
import { formatUsdc } from '../format';
import type { GatewayDeposit } from '../types';
import { depositNextStep } from './tables';

/** How often a deposit on its way is read again. */
const POLL_MS = 1500;

/** Reads a deposit until the chain decided it: credits_issued or failed. */
export function useFollowedDeposit(id: string, initial?: GatewayDeposit) {
  const deposit = useResource(`gateway-deposit:${id}`, () =>
    call(api.GET('/api/gateway/deposits/{id}', { params: { path: { id } } })),
  );
  const current = deposit.data ?? initial;
  usePolling(deposit.reload, POLL_MS, current?.state === 'payment_received' || current === undefined);
  return { deposit, current };
}

/** The deposit just signed, followed live until its credits are issued or it failed. */
export function DepositFollower({
  initial,
  onFinished,
}: {
  initial: GatewayDeposit;
  onFinished: () => void;
}) {
  const { deposit, current } = useFollowedDeposit(initial.id, initial);
  const finished = current && current.state !== 'payment_received';
  const told = useRef(false);
  useEffect(() => {
    if (finished && !told.current) {
      told.current = true;
      onFinished();
    }
  }, [finished, onFinished]);
  if (!current) return null;
  return (
    <Stack gap="xs" component="section" aria-label="Deposit on its way">
      <Group gap="sm">
        {!finished && <Loader size="xs" aria-hidden />}
        <Text fw={600}>
          <Anchor component={Link} to={`/gateway/deposits/${current.id}`} inherit>
            Deposit of {formatUsdc(current.amount)}
          </Anchor>
        </Text>
        <StateBadge state={current.state} />
      </Group>
      <Text size="sm" role="status">
        {depositNextStep(current)}
      </Text>
      {deposit.error && <ErrorState error={deposit.error} onRetry={() => void deposit.reload()} />}
    </Stack>
  );
}
