import { Button, Group, Loader, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { type Address, type Chain, erc20Abi } from 'viem';
import { useBalance, useReadContract } from 'wagmi';
import type { ChainToken } from '../../api/types';
import { SectionCard } from '../../components/SectionCard';
import { formatMinor } from '../../lib/money';
import { walletErrorMessage } from '../../wallet/signInWithEthereum';

/** Reads every balance on the page again (wagmi keeps them in its query cache under these keys). */
export function useRefreshBalances(): () => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      queryClient.invalidateQueries({
        predicate: (query) => query.queryKey[0] === 'balance' || query.queryKey[0] === 'readContract',
      }),
    [queryClient],
  );
}

interface BalanceRead {
  data: bigint | undefined;
  error: Error | null;
}

function BalanceRow({
  symbol,
  name,
  decimals,
  read,
}: {
  symbol: string;
  name: string;
  decimals: number;
  read: BalanceRead;
}) {
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {symbol}
        </Text>
        <Text size="xs" c="dimmed">
          {name}
        </Text>
      </Table.Td>
      <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
        {read.data !== undefined ? (
          formatMinor(read.data.toString(), decimals, symbol)
        ) : read.error ? (
          <Text size="sm" c="red" title={walletErrorMessage(read.error)}>
            could not be read
          </Text>
        ) : (
          <Loader size="xs" aria-label={`Reading the ${symbol} balance`} />
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function EtherRow({ address, chain }: { address: Address; chain: Chain }) {
  const balance = useBalance({ address, chainId: chain.id });
  const { decimals, symbol, name } = chain.nativeCurrency;
  return (
    <BalanceRow
      symbol={symbol}
      name={`${name}, pays for gas`}
      decimals={decimals}
      read={{ data: balance.data?.value, error: balance.error }}
    />
  );
}

function TokenRow({ address, chain, token }: { address: Address; chain: Chain; token: ChainToken }) {
  const balance = useReadContract({
    address: token.address as Address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
    chainId: chain.id,
  });
  const name = token.underlying ? `${token.name} (streams ${token.underlying})` : token.name;
  return (
    <BalanceRow
      symbol={token.symbol}
      name={name}
      decimals={token.decimals}
      read={{ data: balance.data, error: balance.error }}
    />
  );
}

/** What the connected address holds on Tally's chain, read through Tally's proxy, exact to the last unit. */
export function BalancesSection({
  address,
  chain,
  tokens,
}: {
  address: Address;
  chain: Chain;
  tokens: ChainToken[];
}) {
  const refresh = useRefreshBalances();
  return (
    <SectionCard
      title="Balances"
      description={`On ${chain.name}, as of the latest block.`}
      actions={
        <Group>
          <Button variant="default" size="xs" onClick={() => void refresh()}>
            Refresh
          </Button>
        </Group>
      }
    >
      <Table.ScrollContainer minWidth={320}>
        <Table aria-label="Balances" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Asset</Table.Th>
              <Table.Th ta="right">Balance</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            <EtherRow address={address} chain={chain} />
            {tokens.map((token) => (
              <TokenRow key={token.address} address={address} chain={chain} token={token} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </SectionCard>
  );
}
