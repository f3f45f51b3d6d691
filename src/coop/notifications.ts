import type { NotificationTypeDefinition } from '../core/notifications/registry';

/** What the coop line tells people; each person chooses where each type reaches them. */
export const COOP_NOTIFICATIONS = {
  joinRequest: 'coop.join_request',
  joinDecided: 'coop.join_decided',
} as const;

export const coopNotificationTypes: Readonly<Record<string, NotificationTypeDefinition>> = {
  [COOP_NOTIFICATIONS.joinRequest]: { defaultChannel: 'both', label: 'Someone asks to join your household' },
  [COOP_NOTIFICATIONS.joinDecided]: {
    defaultChannel: 'both',
    label: 'Your request to join a household was answered',
  },
};
