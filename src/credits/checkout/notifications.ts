import type { NotificationTypeDefinition } from '../../core/notifications/registry';

/** What the checkout tells people. */
export const CHECKOUT_NOTIFICATIONS = {
  /** To a reseller on its own database: a buyer paid, and its float does not cover the purchase yet. */
  waitingForFloat: 'credits.checkout_waiting_for_float',
} as const;

export const checkoutNotificationTypes: Readonly<Record<string, NotificationTypeDefinition>> = {
  [CHECKOUT_NOTIFICATIONS.waitingForFloat]: {
    defaultChannel: 'both',
    label: 'A buyer paid in your shop and its purchase waits for your float to be topped up',
  },
};
