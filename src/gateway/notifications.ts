import type { NotificationTypeDefinition } from '../core/notifications/registry';

/** What the gateway line tells people; each person chooses where each type reaches them. */
export const GATEWAY_NOTIFICATIONS = {
  kycReviewed: 'gateway.kyc_reviewed',
  kycSubmitted: 'gateway.kyc_submitted',
  settlement: 'gateway.settlement',
  payout: 'gateway.payout',
} as const;

export const gatewayNotificationTypes: Readonly<Record<string, NotificationTypeDefinition>> = {
  [GATEWAY_NOTIFICATIONS.kycReviewed]: {
    defaultChannel: 'both',
    label: 'Your provider KYC was reviewed',
  },
  [GATEWAY_NOTIFICATIONS.kycSubmitted]: {
    defaultChannel: 'both',
    label: 'A provider sent KYC documents for review (administrators)',
  },
  [GATEWAY_NOTIFICATIONS.settlement]: {
    defaultChannel: 'both',
    label: 'What your MCP servers earned in a settlement',
  },
  [GATEWAY_NOTIFICATIONS.payout]: {
    defaultChannel: 'both',
    label: 'A payout of your earnings was paid or failed',
  },
};
