import type { NotificationTypeDefinition } from '../core/notifications/registry';
import type { Notifier } from '../core/notifications/service';
import type { CoopDeps } from './deps';

/** What the coop line tells people; each person chooses where each type reaches them. */
export const COOP_NOTIFICATIONS = {
  joinRequest: 'coop.join_request',
  joinDecided: 'coop.join_decided',
  orderPreparing: 'coop.order_preparing',
  orderAnswered: 'coop.order_answered',
  orderOpen: 'coop.order_open',
  orderShort: 'coop.order_short',
  orderReady: 'coop.order_ready',
  orderCorrected: 'coop.order_corrected',
  badPayment: 'coop.bad_payment',
  paymentFixed: 'coop.payment_fixed',
  invoiceDue: 'coop.invoice_due',
} as const;

/** What `notify` needs from the line's services. */
export const coopNotifier = (deps: CoopDeps): Notifier => ({
  clock: deps.clock,
  types: deps.notificationTypes,
  publicUrl: deps.publicUrl,
});

export const coopNotificationTypes: Readonly<Record<string, NotificationTypeDefinition>> = {
  [COOP_NOTIFICATIONS.joinRequest]: { defaultChannel: 'both', label: 'Someone asks to join your household' },
  [COOP_NOTIFICATIONS.joinDecided]: {
    defaultChannel: 'both',
    label: 'Your request to join a household was answered',
  },
  [COOP_NOTIFICATIONS.orderPreparing]: {
    defaultChannel: 'both',
    label: 'A new order asks whether a producer you are liaison of can deliver',
  },
  [COOP_NOTIFICATIONS.orderAnswered]: {
    defaultChannel: 'in_app',
    label: 'Every producer answered an order you manage: it can open',
  },
  [COOP_NOTIFICATIONS.orderOpen]: {
    defaultChannel: 'both',
    label: 'An order opened: your household can order',
  },
  [COOP_NOTIFICATIONS.orderShort]: {
    defaultChannel: 'both',
    label: 'A product ran short: what your household gets instead, and why',
  },
  [COOP_NOTIFICATIONS.orderReady]: {
    defaultChannel: 'both',
    label: 'Your food is ready to pick up: what changed and what to pay',
  },
  [COOP_NOTIFICATIONS.orderCorrected]: {
    defaultChannel: 'both',
    label: 'An order was corrected after it was billed: what changed on your bill, and why',
  },
  [COOP_NOTIFICATIONS.badPayment]: {
    defaultChannel: 'both',
    label: 'The bookkeeper found something wrong with your household’s payment',
  },
  [COOP_NOTIFICATIONS.paymentFixed]: {
    defaultChannel: 'both',
    label: 'A household says it put a bad payment right',
  },
  [COOP_NOTIFICATIONS.invoiceDue]: {
    defaultChannel: 'both',
    label: 'A delivery is confirmed: upload the producer’s invoice',
  },
};
