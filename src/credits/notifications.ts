import type { NotificationTypeDefinition } from '../core/notifications/registry';

/** What the credits line tells people; each person chooses where each type reaches them. */
export const CREDITS_NOTIFICATIONS = {
  purchaseCompleted: 'credits.purchase_completed',
  domainActive: 'credits.domain_active',
  domainSuspended: 'credits.domain_suspended',
  domainReactivated: 'credits.domain_reactivated',
  domainTaken: 'credits.domain_taken',
  domainReleased: 'credits.domain_released',
} as const;

export const creditsNotificationTypes: Readonly<Record<string, NotificationTypeDefinition>> = {
  [CREDITS_NOTIFICATIONS.purchaseCompleted]: {
    defaultChannel: 'both',
    label: 'Credits from a purchase are in your account',
  },
  [CREDITS_NOTIFICATIONS.domainActive]: {
    defaultChannel: 'both',
    label: 'Your whitelabel domain’s DNS records were found right: it is live',
  },
  [CREDITS_NOTIFICATIONS.domainSuspended]: {
    defaultChannel: 'both',
    label: 'Your whitelabel domain was suspended: its DNS records went wrong',
  },
  [CREDITS_NOTIFICATIONS.domainReactivated]: {
    defaultChannel: 'both',
    label: 'Your suspended whitelabel domain is active again',
  },
  [CREDITS_NOTIFICATIONS.domainReleased]: {
    defaultChannel: 'both',
    label: 'Your whitelabel domain, suspended for a month, is no longer held for you',
  },
  [CREDITS_NOTIFICATIONS.domainTaken]: {
    defaultChannel: 'both',
    label: 'Another reseller proved a domain you claimed before you did',
  },
};
