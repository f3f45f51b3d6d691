import { Alert, Button, Group, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { type Address, erc20Abi, getAddress, isAddressEqual } from 'viem';
import { useConfig, useConnection, useReadContract } from 'wagmi';
import { api, call } from '../../../api/client';
import { ApiError } from '../../../api/errors';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useResource } from '../../../hooks/useResource';
import { ConnectionSection } from '../../../pages/wallet/ConnectionSection';
import { useSignedInUser } from '../../../session/SessionContext';
import { NoChainAlert } from '../../../wallet/NoChainAlert';
import { signReceiveAuthorization } from '../../../wallet/receiveAuthorization';
import { walletErrorMessage } from '../../../wallet/signInWithEthereum';
import { useChain } from '../../../wallet/WalletProvider';
import { WithWallets } from '../../../wallet/WithWallets';
import { readablePlaceholder, useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { placeServerErrors } from '../components/serverErrors';
import { useGatewayBalance } from '../data';
import { checkUsdc, formatUsdc, parseUsdc, USDC_DECIMALS } from '../format';
import { GatewayFrame } from '../GatewayTabs';
import type { GatewayDeposit } from '../types';
import { DepositFollower } from './DepositFollower';
import { EncryptedCreditsSection, useEncryptedCredits } from './EncryptedCreditsSection';
import { BalanceCard } from './GatewayHomePage';
import { DepositsTable } from './tables';

type Step = 'signing' | 'sending' | null;

const loadTerms = () => call(api.GET('/api/gateway/deposits/terms'));
type DepositTerms = Awaited<ReturnType<typeof loadTerms>>;

/** Refreshes whatever reads the balance or the deposits, after a deposit changed them. */
export function useRefreshGateway() {
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      queryClient.invalidateQueries({
        predicate: (query) => {
          const [kind, key] = query.queryKey as [string, unknown];
          return (
            (kind === 'resource' && typeof key === 'string' && key.startsWith('gateway-balance')) ||
            (kind === 'pages' && typeof key === 'string' && key.includes('deposits')) ||
            kind === 'readContract'
          );
        },
      }),
    [queryClient],
  );
}

function DepositForm({
  terms,
  address,
  linked,
  onDeposited,
}: {
  terms: DepositTerms;
  address: Address | undefined;
  linked: boolean;
  onDeposited: (deposit: GatewayDeposit) => void;
}) {
  const config = useConfig();
  const [step, setStep] = useState<Step>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  // Private when the person's encrypted account is there and this is its wallet, unless they switch it off.
  const [privateChosen, setPrivateChosen] = useState(true);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const encrypted = terms.encrypted;
  const privateAvailable = Boolean(
    encrypted && address && isAddressEqual(address, encrypted.account as Address),
  );
  const toPrivate = privateAvailable && privateChosen ? encrypted : null;
  const walletUsdc = useReadContract({
    address: terms.domain.verifyingContract as Address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: address ? [address] : undefined,
    chainId: terms.chain_id,
    query: { enabled: Boolean(address) },
  });
  const held = walletUsdc.data;
  const form = useForm({
    mode: 'controlled',
    initialValues: { amount: '' },
    validateInputOnChange: true,
    validate: {
      amount: (value) =>
        checkUsdc(held === undefined ? {} : { most: { micro: held, why: 'what your wallet holds' } })(value),
    },
  });

  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    const parsed = parseUsdc(values.amount);
    if (!parsed.ok || !address) return;
    try {
      setStep('signing');
      const authorization = await signReceiveAuthorization(config, {
        terms: toPrivate ? { ...terms, to: toPrivate.to } : terms,
        from: address,
        value: parsed.micro,
      });
      setStep('sending');
      const deposit = await call(
        api.POST('/api/gateway/deposits', {
          body: toPrivate ? { ...authorization, to: toPrivate.to } : authorization,
        }),
      );
      form.reset();
      onDeposited(deposit);
    } catch (error) {
      if (error instanceof ApiError) setRefusal(placeServerErrors(form, error, { value: 'amount' }));
      else setRefusal({ message: walletErrorMessage(error) });
      focusFirstInvalid();
    } finally {
      setStep(null);
    }
  }, focusFirstInvalid);

  const parsed = parseUsdc(form.values.amount);
  const blocked = !address
    ? 'Connect a wallet above first.'
    : !linked
      ? 'Link this wallet to your account above first: Tally credits deposits only from wallets that sign you in.'
      : null;
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Deposit USDC">
      <Stack gap="md">
        <TextInput
          label="Amount"
          required
          inputMode="decimal"
          autoComplete="off"
          placeholder="49.00"
          styles={readablePlaceholder}
          rightSection={<Text size="sm">USDC</Text>}
          rightSectionWidth={56}
          maw={320}
          description={
            parsed.ok
              ? `You deposit ${formatUsdc(parsed.micro)}; it becomes ${formatUsdc(parsed.micro)} of credits once the chain confirms it.`
              : `In USDC, with up to ${USDC_DECIMALS} decimals: 49.00 or 49,00.`
          }
          {...form.getInputProps('amount')}
        />
        {address && (
          <Text size="sm" c="dimmed">
            Your wallet holds{' '}
            {held === undefined
              ? walletUsdc.error
                ? 'an amount that could not be read'
                : '…'
              : formatUsdc(held)}
            .
          </Text>
        )}
        {privateAvailable && (
          <Stack gap={4}>
            <Switch
              label="Deposit to my private balance"
              checked={privateChosen}
              onChange={(event) => setPrivateChosen(event.currentTarget.checked)}
            />
            <Text size="sm" role="status" data-testid="deposit-destination">
              {toPrivate
                ? 'This deposit goes to your private balance: the amount deposited is public, what it adds to and what you spend from it are not.'
                : 'This is a plain deposit: it becomes credits at Tally, outside your private balance.'}
            </Text>
          </Stack>
        )}
        {encrypted && address && !privateAvailable && (
          <Text size="sm" c="dimmed" data-testid="deposit-destination">
            This deposit is plain: only {getAddress(encrypted.account)}, the wallet your private balance is
            tied to, deposits to it.
          </Text>
        )}
        <RefusalAlert refusal={refusal} />
        <Group gap="sm">
          <Button type="submit" loading={step !== null} disabled={blocked !== null}>
            Sign and deposit
          </Button>
          {blocked && (
            <Text size="sm" c="dimmed">
              {blocked}
            </Text>
          )}
          {step && (
            <Text size="sm" role="status">
              {step === 'signing'
                ? 'Sign the authorization in your wallet…'
                : 'Sending the authorization to Tally…'}
            </Text>
          )}
        </Group>
        <Text size="xs" c="dimmed">
          Your wallet signs one EIP-3009 authorization (ReceiveWithAuthorization) of this amount to{' '}
          {toPrivate
            ? 'the encrypted credits contract, which adds it to your private balance'
            : "Tally's treasury"}
          , valid for an hour. Tally submits it and pays the gas; you send no transaction.
        </Text>
      </Stack>
    </form>
  );
}

function DepositContent() {
  const chain = useChain();
  const user = useSignedInUser();
  const connection = useConnection();
  const balance = useGatewayBalance();
  const refresh = useRefreshGateway();
  const [following, setFollowing] = useState<GatewayDeposit | null>(null);
  const terms = useResource('gateway-deposit-terms', loadTerms);
  const encrypted = useEncryptedCredits();
  // The terms name the private balance once it is registered: read them again when its state changes.
  const encryptedState = encrypted.data?.account?.state;
  const seenState = useRef(encryptedState);
  const reloadTerms = terms.reload;
  useEffect(() => {
    if (seenState.current === encryptedState) return;
    seenState.current = encryptedState;
    void reloadTerms();
  }, [encryptedState, reloadTerms]);
  const loadDeposits = useCallback(
    (cursor?: string) => call(api.GET('/api/gateway/deposits', { params: { query: { cursor, limit: 20 } } })),
    [],
  );
  const deposits = useCursorPages('gateway-deposits', loadDeposits);

  if (chain.status === 'unavailable') {
    return (
      <NoChainAlert reason={chain.error.message}>
        This Tally runs without a chain, so no USDC can be deposited now.
      </NoChainAlert>
    );
  }
  const address = connection.status === 'connected' ? connection.address : undefined;
  const linked = Boolean(
    address && user.wallets.some((wallet) => wallet.address.toLowerCase() === address.toLowerCase()),
  );
  const wrongChain = connection.status === 'connected' && connection.chainId !== chain.chain.id;

  return (
    <Stack gap="lg">
      <ResourceView resource={balance} loadingLabel="Reading your balance…">
        {(data) => <BalanceCard balance={data} />}
      </ResourceView>
      <ConnectionSection chain={chain.chain} development={chain.info.development} />
      <ResourceView resource={encrypted} loadingLabel="Reading your private balance…">
        {(data) => (
          <EncryptedCreditsSection
            encrypted={data}
            address={address}
            linked={linked}
            reload={encrypted.reload}
          />
        )}
      </ResourceView>
      <SectionCard
        title="Deposit USDC"
        description="The USDC goes to Tally's treasury, or to your private balance on chain, and becomes credits in your balance, one for one."
      >
        {wrongChain && (
          <Alert color="yellow" variant="light" title="Your wallet is on another chain">
            Switch your wallet to {chain.chain.name} (chain {chain.chain.id}) before you sign.
          </Alert>
        )}
        <ResourceView resource={terms} loadingLabel="Reading the deposit terms…">
          {(data) => (
            <DepositForm
              terms={data}
              address={address}
              linked={linked}
              onDeposited={(deposit) => {
                setFollowing(deposit);
                void refresh();
              }}
            />
          )}
        </ResourceView>
        {following && (
          <DepositFollower
            initial={following}
            onFinished={() => {
              void refresh();
            }}
          />
        )}
      </SectionCard>
      <SectionCard
        title="Your deposits"
        description="Each with its state: payment_received, credits_issued or failed."
      >
        <ResourceView
          resource={deposits.first}
          loadingLabel="Loading your deposits…"
          isEmpty={(page) => page.items.length === 0}
          empty={
            <NothingYet title="No deposit yet">
              Connect a wallet linked to your account, enter an amount and sign: the deposit appears here.
            </NothingYet>
          }
        >
          {() => <DepositsTable deposits={deposits.items} moreToLoad={deposits.hasMore} />}
        </ResourceView>
        <LoadOlder pages={deposits} label="Load older deposits" />
      </SectionCard>
    </Stack>
  );
}

/** /gateway/deposit: USDC from a linked wallet, by one signed authorization, followed until credited. */
export function DepositPage() {
  return (
    <GatewayFrame
      title="Deposit"
      description="Top up your credits with USDC: your wallet signs one authorization, and Tally does the rest."
    >
      <WithWallets>
        <DepositContent />
      </WithWallets>
    </GatewayFrame>
  );
}
