import { Anchor, Button, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { usePolling } from '../../../hooks/usePolling';
import { useSignedInUser } from '../../../session/SessionContext';
import { newIdempotencyKey, useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { placeServerErrors } from '../components/serverErrors';
import { useGatewayBalance } from '../data';
import { checkUsdc, formatUsdc, parseUsdc, usdcNumber } from '../format';
import { GatewayFrame } from '../GatewayTabs';
import type { GatewayBalance } from '../types';
import { BalanceCard } from './GatewayHomePage';
import { WithdrawalsTable } from './tables';

/** How often withdrawals on their way are read again. */
const POLL_MS = 3000;

export function WithdrawForm({
  balance,
  wallets,
  onWithdrawn,
}: {
  balance: GatewayBalance;
  wallets: { address: string }[];
  onWithdrawn: () => void;
}) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  // One key per withdrawal being entered: a double click or a retry after a lost answer pays it once.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { amount: '', to: wallets[0]?.address ?? '' },
    validateInputOnChange: true,
    validate: {
      amount: checkUsdc({ most: { micro: balance.available, why: 'what your balance has available' } }),
      to: (value) =>
        wallets.some((wallet) => wallet.address === value) ? null : 'Choose a wallet linked to your account',
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    const parsed = parseUsdc(values.amount);
    if (!parsed.ok) return;
    try {
      await call(
        api.POST('/api/gateway/withdrawals', {
          params: { header: { 'Idempotency-Key': idempotencyKey } },
          body: { amount: parsed.micro, to: values.to },
        }),
      );
      form.reset();
      setIdempotencyKey(newIdempotencyKey());
      onWithdrawn();
    } catch (error) {
      const { status, code, details } = asApiError(error);
      // A refusal is final: what is entered next is another withdrawal, with a key of its own.
      if (status >= 400 && status < 500 && code !== 'idempotency_in_flight')
        setIdempotencyKey(newIdempotencyKey());
      const available = (details as { available?: unknown } | undefined)?.available;
      if (code === 'insufficient_credits' && typeof available === 'string') {
        form.setFieldError('amount', `You can withdraw at most ${formatUsdc(available)} now.`);
        onWithdrawn();
      } else {
        setRefusal(placeServerErrors(form, error));
      }
      focusFirstInvalid();
    }
  }, focusFirstInvalid);

  const parsed = parseUsdc(form.values.amount);
  if (wallets.length === 0) {
    return (
      <NothingYet
        title="Link a wallet first"
        action={
          <Button component={Link} to="/wallet">
            Open the Wallet page
          </Button>
        }
      >
        Withdrawals are paid only to a wallet linked to your account: connect one on the Wallet page and link
        it by signing in with it.
      </NothingYet>
    );
  }
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Withdraw USDC">
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label="Amount"
            required
            inputMode="decimal"
            autoComplete="off"
            rightSection={<Text size="sm">USDC</Text>}
            rightSectionWidth={56}
            description={
              parsed.ok
                ? `You withdraw ${formatUsdc(parsed.micro)}, paid to the wallet below.`
                : `At most ${formatUsdc(balance.available)}: 12.50 or 12,50.`
            }
            {...form.getInputProps('amount')}
          />
          <Select
            label="Pay to"
            required
            allowDeselect={false}
            description="A wallet linked to your account."
            data={wallets.map((wallet) => ({ value: wallet.address, label: wallet.address }))}
            {...form.getInputProps('to')}
          />
        </SimpleGrid>
        <RefusalAlert refusal={refusal} />
        <Group gap="sm">
          <Button type="submit" loading={form.submitting} disabled={balance.available === '0'}>
            Withdraw
          </Button>
          <Button
            variant="default"
            disabled={balance.available === '0'}
            onClick={() => form.setFieldValue('amount', usdcNumber(balance.available))}
          >
            Withdraw everything
          </Button>
          {balance.available === '0' && (
            <Text size="sm" c="dimmed">
              Nothing to withdraw: your available balance is {formatUsdc('0')}.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

/** /gateway/withdraw: credits back to USDC, paid to a linked wallet; the withdrawals with their states. */
export function WithdrawPage() {
  const user = useSignedInUser();
  const balance = useGatewayBalance();
  const loadPage = useCallback(
    (cursor?: string) =>
      call(api.GET('/api/gateway/withdrawals', { params: { query: { cursor, limit: 20 } } })),
    [],
  );
  const withdrawals = useCursorPages('gateway-withdrawals', loadPage);
  const onTheirWay = withdrawals.items.some((w) => w.state === 'pending');
  usePolling(
    async () => {
      await Promise.all([withdrawals.reload(), balance.reload()]);
    },
    POLL_MS,
    onTheirWay,
  );
  const refresh = () => {
    void withdrawals.reload();
    void balance.reload();
  };
  return (
    <GatewayFrame
      title="Withdraw"
      description={
        <>
          Turn credits back into USDC, paid to a wallet linked to your account. Tally pays the gas.{' '}
          <Anchor component={Link} to="/wallet">
            Your wallets
          </Anchor>
        </>
      }
    >
      <ResourceView resource={balance} loadingLabel="Reading your balance…">
        {(data) => (
          <Stack gap="lg">
            <BalanceCard balance={data} />
            <SectionCard
              title="Withdraw USDC"
              description="The amount is held from your balance until the transfer is confirmed."
            >
              <WithdrawForm balance={data} wallets={user.wallets} onWithdrawn={refresh} />
            </SectionCard>
            <SectionCard title="Your withdrawals" description="Each with its state: pending, paid or failed.">
              <ResourceView
                resource={withdrawals.first}
                loadingLabel="Loading your withdrawals…"
                isEmpty={(page) => page.items.length === 0}
                empty={
                  <NothingYet title="No withdrawal yet">
                    What you withdraw appears here until it is paid.
                  </NothingYet>
                }
              >
                {() => <WithdrawalsTable withdrawals={withdrawals.items} moreToLoad={withdrawals.hasMore} />}
              </ResourceView>
              <LoadOlder pages={withdrawals} label="Load older withdrawals" />
            </SectionCard>
          </Stack>
        )}
      </ResourceView>
    </GatewayFrame>
  );
}
