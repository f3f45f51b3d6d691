import { Alert, Badge, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useState } from 'react';
import type { Chain } from 'viem';
import { type Connector, useConfig, useConnect, useConnection, useConnectors, useDisconnect } from 'wagmi';
import { Facts } from '../../components/Facts';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { SectionCard } from '../../components/SectionCard';
import { LoadingState } from '../../components/States';
import { useSession, useSignedInUser } from '../../session/SessionContext';
import { signInWithEthereum, walletErrorMessage } from '../../wallet/signInWithEthereum';
import {
  hasBrowserWallet,
  isConnectorAvailable,
  isDevWallet,
  isPreferredConnector,
} from '../../wallet/walletConfig';

function connectLabel(connector: Connector): string {
  return isDevWallet(connector) ? 'Connect the development wallet' : 'Connect a browser wallet';
}

function ConnectButtons() {
  const connectors = useConnectors();
  const { mutate: connect, isPending, variables, error } = useConnect();
  const browserWallet = hasBrowserWallet();
  const pendingConnector =
    isPending && variables && 'uid' in variables.connector ? variables.connector.uid : null;
  return (
    <Stack gap="sm">
      <Text size="sm">No wallet is connected in this browser.</Text>
      <Group gap="sm">
        {connectors.map((connector) => (
          <Button
            key={connector.uid}
            variant={isPreferredConnector(connector) ? 'filled' : 'default'}
            disabled={!isConnectorAvailable(connector) || (isPending && pendingConnector !== connector.uid)}
            loading={pendingConnector === connector.uid}
            onClick={() => connect({ connector })}
          >
            {connectLabel(connector)}
          </Button>
        ))}
      </Group>
      {!browserWallet && (
        <Text size="xs" c="dimmed">
          No browser wallet (MetaMask, Rabby, …) was found in this browser.
        </Text>
      )}
      {connectors.some(isDevWallet) && (
        <Text size="xs" c="dimmed">
          The development wallet is a test key kept in this browser, on the development chain only.
        </Text>
      )}
      <FormErrorAlert message={error ? walletErrorMessage(error) : null} />
    </Stack>
  );
}

/** Whether the address can sign the person in; if not, a button that links it by signing (EIP-4361). */
function LinkState({ address, connector }: { address: string; connector: Connector }) {
  const user = useSignedInUser();
  const { signedIn } = useSession();
  const config = useConfig();
  const [linking, setLinking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const linked = user.wallets.some((wallet) => wallet.address.toLowerCase() === address.toLowerCase());
  if (linked) {
    return (
      <Badge variant="light" color="teal">
        linked to your account
      </Badge>
    );
  }
  const link = async () => {
    setLinking(true);
    setError(null);
    try {
      const outcome = await signInWithEthereum(config, connector, () => {});
      signedIn(outcome.user);
      notifications.show({ color: 'teal', message: `${outcome.address} now signs you in.` });
    } catch (thrown) {
      setError(walletErrorMessage(thrown));
    } finally {
      setLinking(false);
    }
  };
  return (
    <Stack gap={4} align="flex-start">
      <Button size="xs" variant="default" loading={linking} onClick={() => void link()}>
        Link to your account
      </Button>
      <Text size="xs" c="dimmed">
        Sign a message with this wallet so it can sign you in.
      </Text>
      {error && (
        <Text size="xs" c="red" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}

function SectionCardFrame({
  development = false,
  actions,
  children,
}: {
  development?: boolean;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <SectionCard
      title="Your wallet"
      description={
        development
          ? 'A browser wallet such as MetaMask, or the development wallet Tally keeps in this browser.'
          : 'A browser wallet such as MetaMask.'
      }
      actions={actions}
    >
      {children}
    </SectionCard>
  );
}

/**
 * The wallet connected in this browser, or the buttons that connect one. For a signed-in person it
 * says whether the wallet signs them in (and links it); `forSignIn={false}` leaves that out, for a
 * page anyone may use (a product's payment link), where the wallet only signs a payment.
 */
export function ConnectionSection({
  chain,
  development,
  forSignIn = true,
}: {
  chain: Chain;
  development: boolean;
  forSignIn?: boolean;
}) {
  const connection = useConnection();
  const { mutate: disconnect, isPending: disconnecting } = useDisconnect();

  if (connection.status === 'connecting' || connection.status === 'reconnecting') {
    return (
      <SectionCardFrame development={development}>
        <LoadingState label="Connecting to your wallet…" />
      </SectionCardFrame>
    );
  }
  if (connection.status !== 'connected') {
    return (
      <SectionCardFrame development={development}>
        <ConnectButtons />
      </SectionCardFrame>
    );
  }
  const { address, connector, chainId } = connection;
  return (
    <SectionCardFrame
      development={development}
      actions={
        <Button variant="default" size="xs" loading={disconnecting} onClick={() => disconnect({ connector })}>
          Disconnect
        </Button>
      }
    >
      <Facts
        facts={[
          {
            label: 'Address',
            value: (
              <Group gap="xs" wrap="nowrap" align="center">
                <Code aria-label="Connected address" style={{ wordBreak: 'break-all', minWidth: 0 }}>
                  {address}
                </Code>
                <CopyButton value={address}>
                  {({ copied, copy }) => (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={copy}
                      aria-label={copied ? 'Address copied' : 'Copy the address'}
                      style={{ flexShrink: 0 }}
                    >
                      {copied ? 'Copied' : 'Copy'}
                    </Button>
                  )}
                </CopyButton>
              </Group>
            ),
          },
          { label: 'Wallet', value: connector.name },
          ...(forSignIn
            ? [{ label: 'Sign-in', value: <LinkState address={address} connector={connector} /> }]
            : []),
        ]}
      />
      {chainId !== chain.id && (
        <Alert color="yellow" variant="light" title="Your wallet is on another chain">
          It is on chain {chainId}; Tally pays on {chain.name} (chain {chain.id}). Balances below are read on{' '}
          {chain.name}; switch networks in your wallet before you send anything.
        </Alert>
      )}
    </SectionCardFrame>
  );
}
