import { Alert, Anchor, Button, Group, List, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { type Connector, useConfig, useConnectors } from 'wagmi';
import { PageHeader } from '../../components/PageHeader';
import { safeNextPath } from '../../session/nextPath';
import { useSession } from '../../session/SessionContext';
import { type SignInStep, signInWithEthereum, walletErrorMessage } from '../../wallet/signInWithEthereum';
import {
  hasBrowserWallet,
  isConnectorAvailable,
  isDevWallet,
  isPreferredConnector,
} from '../../wallet/walletConfig';

const stepLabels: Record<SignInStep, string> = {
  connecting: 'Asking your wallet for an account…',
  signing: 'Waiting for your signature in the wallet…',
  verifying: 'Checking the signature…',
};

function NoWalletInstalled({ devWalletOffered }: { devWalletOffered: boolean }) {
  return (
    <Alert color="yellow" variant="light" title="No wallet found in this browser">
      Signing in with Ethereum needs a browser wallet, such as MetaMask, Rabby or Coinbase Wallet. Install
      one, then reload this page.{' '}
      {devWalletOffered && 'On this development chain you can also use the development wallet below. '}
      You can also{' '}
      <Anchor component={Link} to="/login">
        log in with email and password
      </Anchor>
      .
    </Alert>
  );
}

function buttonLabel(connector: Connector, linking: boolean): string {
  const wallet = isDevWallet(connector) ? 'the development wallet' : 'a browser wallet';
  return linking ? `Link ${wallet}` : `Sign in with ${wallet}`;
}

/** Sign-In with Ethereum (EIP-4361) at /login/wallet: signs a person in, or links a wallet when signed in. */
export function WalletSignInPage() {
  const { session, signedIn } = useSession();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const config = useConfig();
  const connectors = useConnectors();
  const [busy, setBusy] = useState<{ connector: string; step: SignInStep } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [linkedAddress, setLinkedAddress] = useState<string | null>(null);
  const linking = session.status === 'signed-in';
  const browserWallet = hasBrowserWallet();
  const devWalletOffered = connectors.some(isDevWallet);

  const signIn = async (connector: Connector) => {
    setError(null);
    setLinkedAddress(null);
    try {
      const { user, address } = await signInWithEthereum(config, connector, (step) =>
        setBusy({ connector: connector.uid, step }),
      );
      signedIn(user);
      // Signed in before: the wallet was added to this account. Signed out: the wallet signed in.
      if (linking) setLinkedAddress(address);
      else navigate(safeNextPath(searchParams.get('next')), { replace: true });
    } catch (thrown) {
      setError(walletErrorMessage(thrown));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack maw={640} gap="lg">
      <PageHeader
        title={linking ? 'Link a wallet' : 'Sign in with a wallet'}
        description="Sign-In with Ethereum (EIP-4361): your wallet proves the address is yours by signing a short message."
      />
      <Stack gap="xs">
        <Title order={2} size="h4">
          What happens
        </Title>
        <List type="ordered" spacing="xs">
          <List.Item>Your wallet shares one address with this page.</List.Item>
          <List.Item>
            Tally gives a one-time code, and your wallet shows a message naming this site, the address and the
            code.
          </List.Item>
          <List.Item>
            You sign it. Signing costs nothing and sends no transaction: it only proves the address is yours.
          </List.Item>
          <List.Item>
            {linking
              ? 'Tally links the address to your account, so you can sign in with it next time.'
              : 'Tally signs you in: to the account the address is linked to, or to a new account for it.'}
          </List.Item>
        </List>
      </Stack>
      {!browserWallet && <NoWalletInstalled devWalletOffered={devWalletOffered} />}
      {devWalletOffered && (
        <Text size="sm" c="dimmed">
          The development wallet is a test key kept in this browser, offered on Tally's development chain
          only. Anyone with access to this browser can use it: never send it anything of value.
        </Text>
      )}
      {linkedAddress && (
        <Alert color="teal" variant="light" title="Wallet linked" role="status">
          <Text size="sm" style={{ wordBreak: 'break-all' }}>
            {linkedAddress} is now linked to your account.{' '}
            <Anchor component={Link} to="/settings/profile">
              See your wallets
            </Anchor>
          </Text>
        </Alert>
      )}
      {error && (
        <Alert color="red" variant="light" title={linking ? 'Not linked' : 'Not signed in'} role="alert">
          {error}
        </Alert>
      )}
      <div>
        <Group gap="sm">
          {connectors.map((connector) => (
            <Button
              key={connector.uid}
              variant={isPreferredConnector(connector) ? 'filled' : 'default'}
              onClick={() => void signIn(connector)}
              disabled={
                !isConnectorAvailable(connector) || (busy !== null && busy.connector !== connector.uid)
              }
              loading={busy?.connector === connector.uid}
            >
              {buttonLabel(connector, linking)}
            </Button>
          ))}
        </Group>
        {busy && (
          <Text size="sm" c="dimmed" mt="xs" role="status">
            {stepLabels[busy.step]}
          </Text>
        )}
      </div>
    </Stack>
  );
}
