import { Anchor, Badge, Stack } from '@mantine/core';
import { Link } from 'react-router';
import { useConnection } from 'wagmi';
import { Facts } from '../../components/Facts';
import { PageHeader } from '../../components/PageHeader';
import { SectionCard } from '../../components/SectionCard';
import { NoChainAlert } from '../../wallet/NoChainAlert';
import { useChain } from '../../wallet/WalletProvider';
import { BalancesSection } from './BalancesSection';
import { ConnectionSection } from './ConnectionSection';
import { FaucetSection } from './FaucetSection';

/** /wallet: the chain, the person's connected wallet, its balances and, on the development chain, the faucet. */
export function WalletPage() {
  const chain = useChain();
  const connection = useConnection();
  const address = connection.status === 'connected' ? connection.address : undefined;

  return (
    <>
      <PageHeader
        title="Wallet"
        description="Connect a wallet to see what it holds on the chain Tally pays on."
      />
      {chain.status === 'unavailable' ? (
        <NoChainAlert reason={chain.error.message}>
          This Tally runs without a chain, so there are no balances to show and no tokens to get. You can
          still{' '}
          <Anchor component={Link} to="/login/wallet">
            link a wallet
          </Anchor>{' '}
          to sign in with it.
        </NoChainAlert>
      ) : (
        <Stack gap="lg">
          <SectionCard title="Chain">
            <Facts
              facts={[
                {
                  label: 'Name',
                  value: (
                    <>
                      {chain.info.name}{' '}
                      {chain.info.development && (
                        <Badge variant="light" color="grape" size="sm" ml={4}>
                          development
                        </Badge>
                      )}
                    </>
                  ),
                },
                { label: 'Chain id', value: chain.info.chain_id },
                {
                  label: 'Tokens',
                  value: chain.info.tokens.map((token) => token.symbol).join(', ') || 'none',
                },
              ]}
            />
          </SectionCard>
          <ConnectionSection chain={chain.chain} development={chain.info.development} />
          {address && <BalancesSection address={address} chain={chain.chain} tokens={chain.info.tokens} />}
          {address && chain.info.faucet && (
            <FaucetSection address={address} tokens={chain.info.tokens} faucet={chain.info.faucet} />
          )}
        </Stack>
      )}
    </>
  );
}
