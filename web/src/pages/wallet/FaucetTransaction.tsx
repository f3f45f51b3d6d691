import { Badge, Code, Group, Paper, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { api, call } from '../../api/client';
import type { ChainToken, ChainTransaction } from '../../api/types';
import { usePolling } from '../../hooks/usePolling';
import { useResource } from '../../hooks/useResource';
import { formatMinor } from '../../lib/money';
import {
  isTransactionOpen,
  transactionProgress,
  transactionStateColors,
} from '../../wallet/transactionStates';

const POLL_MS = 1000;

/** What a faucet transaction carries, from its metadata: `250.00 USDC`, or `1.00 ETH for gas`. */
function faucetTransactionLabel(transaction: ChainTransaction, tokens: ChainToken[]): string {
  const { token, amount } = transaction.metadata;
  if (typeof token !== 'string' || typeof amount !== 'string') return transaction.purpose;
  if (token === 'ETH') return `${formatMinor(amount, 18, 'ETH')} for gas`;
  const decimals = tokens.find((candidate) => candidate.symbol === token)?.decimals;
  return decimals === undefined ? `${amount} ${token} (minor units)` : formatMinor(amount, decimals, token);
}

/** One of the faucet's transactions, followed until it is final: queued → pending → confirmed. */
export function FaucetTransaction({
  transaction,
  tokens,
  onConfirmed,
}: {
  transaction: ChainTransaction;
  tokens: ChainToken[];
  onConfirmed: () => void;
}) {
  const followed = useResource(`chain-transaction:${transaction.id}`, () =>
    call(api.GET('/api/chain/transactions/{id}', { params: { path: { id: transaction.id } } })),
  );
  const current = followed.data ?? transaction;
  usePolling(followed.reload, POLL_MS, isTransactionOpen(current.state));

  const onConfirmedRef = useRef(onConfirmed);
  onConfirmedRef.current = onConfirmed;
  useEffect(() => {
    if (current.state === 'confirmed') onConfirmedRef.current();
  }, [current.state]);

  const label = faucetTransactionLabel(current, tokens);
  return (
    <Paper withBorder p="sm" component="article" aria-label={label}>
      <Stack gap={4}>
        <Group justify="space-between" gap="xs">
          <Text size="sm" fw={600}>
            {label}
          </Text>
          <Badge variant="light" color={transactionStateColors[current.state]}>
            {current.state}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed" role="status">
          {transactionProgress(current)}
        </Text>
        {current.hash && (
          <Text size="xs">
            Hash <Code style={{ wordBreak: 'break-all' }}>{current.hash}</Code>
          </Text>
        )}
        {current.last_error && (
          <Text size="xs" c="orange.9" style={{ overflowWrap: 'anywhere' }}>
            Last error: {current.last_error}
          </Text>
        )}
        {followed.error && (
          <Text size="xs" c="red">
            Could not check on it: {followed.error.message}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
