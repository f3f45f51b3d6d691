import type { NotificationTypeDefinition } from '../../core/notifications/registry';

/** What the float tells people. */
export const FLOAT_NOTIFICATIONS = {
  /** To the reseller: its automatic top-up is due and its credits on Tally do not cover it. */
  short: 'credits.float_short',
  /** To administrators: a reconciliation found the two ledgers of a reseller's float disagree. */
  difference: 'credits.float_difference',
} as const;

export const floatNotificationTypes: Readonly<Record<string, NotificationTypeDefinition>> = {
  [FLOAT_NOTIFICATIONS.short]: {
    defaultChannel: 'both',
    label: 'Your shop’s float is low and your credits do not cover the automatic top-up',
  },
  [FLOAT_NOTIFICATIONS.difference]: {
    defaultChannel: 'both',
    label: 'A reseller’s float differs between Tally’s ledger and its database’s (administrators)',
  },
};
