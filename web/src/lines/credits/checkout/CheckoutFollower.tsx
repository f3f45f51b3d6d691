import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { sentence } from '../../../api/errors';
import type { CreditsCheckout } from '../../../api/types';
import { ErrorState, LoadingState } from '../../../components/States';
import { usePolling } from '../../../hooks/usePolling';
import { useResource } from '../../../hooks/useResource';
import { formatUsdcPayment } from '../format';

type CheckoutState = CreditsCheckout['state'];

/** How often a payment on its way is read again. */
const POLL_MS = 1500;

const stateColors: Record<CheckoutState, string> = {
  awaiting_payment: 'blue',
  paid: 'teal',
  failed: 'red',
  reversed: 'orange',
};

function WhereTheMailIs({ email }: { email: string }) {
  const status = useResource('mail-status', () => call(api.GET('/api/mail/status')));
  if (!status.data?.mailbox_enabled) {
    return <>Paid. We sent your login details to {email}: look in that inbox.</>;
  }
  // This Tally keeps its mail in its Mailbox instead of sending it; only some may read it there.
  if (!status.data.open_to_visitors) {
    return (
      <>
        Paid. We sent your login details to {email}; this Tally keeps its mail in its Mailbox, which an
        administrator can read to you.
      </>
    );
  }
  return (
    <>
      Paid. We sent your login details to {email} —{' '}
      <Anchor component={Link} to="/mailbox" inherit>
        open the Mailbox
      </Anchor>
      .
    </>
  );
}

/**
 * A checkout just started, read again until the chain decided it: paid (the purchase made and the
 * login details mailed) or failed, with why and how to try again.
 */
export function CheckoutFollower({
  id,
  initial,
  confirmations,
  onTryAgain,
}: {
  id: string;
  /** The checkout as the payment's answer gave it, shown until it is read again. */
  initial?: CreditsCheckout;
  confirmations: number | null;
  onTryAgain: () => void;
}) {
  const checkout = useResource(`credits-checkout:${id}`, () =>
    call(api.GET('/api/credits/checkouts/{id}', { params: { path: { id } } })),
  );
  const current = checkout.data ?? initial;
  // Paid on a shop with a database of its own: the purchase follows the payment there, by itself.
  const settingUp = current?.state === 'paid' && current.purchase_id === null;
  const waiting = current === undefined || current.state === 'awaiting_payment' || settingUp;
  usePolling(checkout.reload, POLL_MS, waiting);
  if (!current) {
    return checkout.error ? (
      <ErrorState error={checkout.error} onRetry={() => void checkout.reload()} />
    ) : (
      <LoadingState label="Reading your payment…" />
    );
  }
  const amount = formatUsdcPayment(current.value);
  return (
    <Stack gap="sm" component="section" aria-label="Your payment">
      <Group gap="sm">
        {waiting && <Loader size="xs" aria-hidden />}
        <Text fw={600}>Payment of {amount}</Text>
        <Badge variant="light" color={stateColors[current.state]} style={{ overflow: 'visible' }}>
          {current.state}
        </Badge>
      </Group>
      <div role="status">
        {current.state === 'awaiting_payment' && (
          <Text size="sm">
            Tally submitted your signed payment; waiting for the chain to confirm it
            {confirmations ? ` (${confirmations} ${confirmations === 1 ? 'block' : 'blocks'})` : ''}. This
            page follows it by itself.
          </Text>
        )}
        {settingUp && (
          <Alert
            color={current.failure ? 'yellow' : 'teal'}
            variant="light"
            title="Paid, your account is being set up"
          >
            <Text size="sm">
              {current.failure
                ? `${sentence(current.failure)} Your payment is kept; this page follows it by itself.`
                : 'Your payment is confirmed; your account and credits are being made. This page follows it by itself.'}
            </Text>
          </Alert>
        )}
        {current.state === 'paid' && !settingUp && (
          <Alert color="teal" variant="light">
            <Stack gap="xs">
              <Text size="sm">
                <WhereTheMailIs email={current.email} />
              </Text>
              <Text size="sm">
                The mail's link leads to{' '}
                <Anchor component={Link} to="/credits/welcome" inherit>
                  finishing your account
                </Anchor>
                : choose your own password, and your credits are ready.
              </Text>
            </Stack>
          </Alert>
        )}
        {current.state === 'failed' && (
          <Alert color="red" variant="light" title="The payment failed">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">{sentence(current.failure ?? 'the chain did not take the payment')}</Text>
              <Text size="sm">
                No USDC left your wallet and nothing was bought. Make sure your wallet holds {amount}, then
                sign again.
              </Text>
              <Button size="xs" onClick={onTryAgain}>
                Try again
              </Button>
            </Stack>
          </Alert>
        )}
        {current.state === 'reversed' && (
          <Alert color="orange" variant="light" title="The payment was reversed">
            <Text size="sm">{sentence(current.failure ?? 'the chain took the payment back')}</Text>
          </Alert>
        )}
      </div>
      {checkout.error && <ErrorState error={checkout.error} onRetry={() => void checkout.reload()} />}
    </Stack>
  );
}
