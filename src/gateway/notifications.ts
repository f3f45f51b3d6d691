import type { NotificationTypeDefinition } from '../core/notifications/registry';

/** What the gateway line tells people; each person chooses where each type reaches them. */
export const GATEWAY_NOTIFICATIONS = {
  kycReviewed: 'gateway.kyc_reviewed',
} as const;

export const gatewayNotificationTypes: Readonly<Record<string, NotificationTypeDefinition>> = {
  [GATEWAY_NOTIFICATIONS.kycReviewed]: {
    defaultChannel: 'both',
    label: 'Your provider KYC was reviewed',
  },
};
