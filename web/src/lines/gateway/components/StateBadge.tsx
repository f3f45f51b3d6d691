import { Badge, type BadgeProps } from '@mantine/core';

/**
 * The colour of each state a gateway object shows, named as the seed and the API name them: a
 * person (`no_credits`…), a deposit, a call, a provider's earnings, KYC, a grant, a transfer out,
 * a server.
 */
const stateColors: Record<string, string> = {
  // A person's credits.
  no_credits: 'gray',
  has_credits: 'teal',
  insufficient_credits: 'orange',
  withdrew_funds: 'gray',
  // A deposit.
  payment_received: 'blue',
  credits_issued: 'teal',
  // A call.
  processing_request: 'blue',
  served: 'teal',
  refunded: 'orange',
  // A provider's earnings.
  serving_requests: 'blue',
  metrics_collected: 'grape',
  payout_calculated: 'orange',
  funds_claimable: 'teal',
  // KYC.
  none: 'gray',
  submitted: 'blue',
  approved: 'teal',
  rejected: 'red',
  // A session grant.
  active: 'teal',
  expired: 'gray',
  revoked: 'red',
  // A withdrawal or a payout.
  pending: 'blue',
  paid: 'teal',
  failed: 'red',
  // A server.
  paused: 'gray',
  // An encrypted account.
  registering: 'blue',
  registered: 'teal',
};

/** A state as a badge with its own name (UI.md: "a badge with the seed's name for each state"); never truncated. */
export function StateBadge({
  state,
  label,
  ...props
}: { state: string; label?: string } & Omit<BadgeProps, 'children' | 'color'>) {
  return (
    <Badge
      variant="light"
      color={stateColors[state] ?? 'gray'}
      tt="none"
      style={{ overflow: 'visible', flexShrink: 0 }}
      styles={{ label: { overflow: 'visible' } }}
      {...props}
    >
      {label ?? state}
    </Badge>
  );
}
