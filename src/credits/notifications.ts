import type { NotificationTypeDefinition } from '../core/notifications/registry';

/** What the credits line tells people; each person chooses where each type reaches them. */
export const CREDITS_NOTIFICATIONS = {
  purchaseCompleted: 'credits.purchase_completed',
} as const;

export const creditsNotificationTypes: Readonly<Record<string, NotificationTypeDefinition>> = {
  [CREDITS_NOTIFICATIONS.purchaseCompleted]: {
    defaultChannel: 'both',
    label: 'Credits from a purchase are in your account',
  },
};
