import { Alert, Anchor, Button, List, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { asApiError } from '../../api/errors';
import { PageHeader } from '../../components/PageHeader';
import {
  currentChainId,
  injectedWallet,
  isDeclinedInWallet,
  requestAccount,
  signInMessage,
  signMessage,
} from '../../lib/ethereum';
import { safeNextPath } from '../../session/nextPath';
import { useSession } from '../../session/SessionContext';

type Step = 'idle' | 'connecting' | 'signing' | 'verifying';

const stepLabels: Record<Step, string> = {
  idle: '',
  connecting: 'Asking your wallet for an account…',
  signing: 'Waiting for your signature in the wallet…',
  verifying: 'Checking the signature…',
};

function NoWalletInstalled() {
  return (
    <Alert color="yellow" variant="light" title="No wallet found in this browser">
      Signing in with Ethereum needs a browser wallet, such as MetaMask, Rabby or Coinbase Wallet. Install
      one, then reload this page. You can also{' '}
      <Anchor component={Link} to="/login">
        log in with email and password
      </Anchor>
      .
    </Alert>
  );
}

export function WalletSignInPage() {
  const { session, signedIn } = useSession();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const [step, setStep] = useState<Step>('idle');
  const [error, setError] = useState<string | null>(null);
  const [linkedAddress, setLinkedAddress] = useState<string | null>(null);
  const wallet = injectedWallet();
  const linking = session.status === 'signed-in';

  const signIn = async () => {
    if (!wallet) return;
    setError(null);
    try {
      setStep('connecting');
      const address = await requestAccount(wallet);
      const chainId = await currentChainId(wallet);
      const { nonce, domain } = await call(api.GET('/api/auth/siwe/nonce'));
      const message = signInMessage({ domain, address, chainId, nonce });
      setStep('signing');
      const signature = await signMessage(wallet, address, message);
      setStep('verifying');
      const { user } = await call(api.POST('/api/auth/siwe/verify', { body: { message, signature } }));
      signedIn(user);
      // Signed in before: the wallet was added to this account. Signed out: the wallet signed in.
      if (linking) setLinkedAddress(address);
      else navigate(safeNextPath(searchParams.get('next')), { replace: true });
    } catch (thrown) {
      setError(
        isDeclinedInWallet(thrown)
          ? 'You declined in your wallet; nothing was signed.'
          : asApiError(thrown).message,
      );
    } finally {
      setStep('idle');
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
      {!wallet && <NoWalletInstalled />}
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
        <Alert color="red" variant="light" title="Not signed in" role="alert">
          {error}
        </Alert>
      )}
      <div>
        <Button onClick={() => void signIn()} disabled={!wallet} loading={step !== 'idle'}>
          {linking ? 'Link my wallet' : 'Connect wallet and sign in'}
        </Button>
        {step !== 'idle' && (
          <Text size="sm" c="dimmed" mt="xs" role="status">
            {stepLabels[step]}
          </Text>
        )}
      </div>
    </Stack>
  );
}
