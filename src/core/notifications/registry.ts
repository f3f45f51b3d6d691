import { AppError } from '../errors';
import { notificationChannels } from './schema';

/**
 * The kinds of notification product lines send (`coop.order_ready`, `credits.low_balance`…). A line
 * registers its types when its module loads, so a person's settings can list every one of them.
 */

export type NotificationChannel = (typeof notificationChannels)[number];

export interface NotificationTypeDefinition {
  /** Where the notification goes for a person who has not chosen. */
  defaultChannel: NotificationChannel;
  /** How the settings page names it. */
  label: string;
}

export interface RegisteredNotificationType extends NotificationTypeDefinition {
  type: string;
}

/** An unregistered type still reaches people, everywhere; registering it is what lets them choose. */
export const UNREGISTERED_TYPE_CHANNEL: NotificationChannel = 'both';

export const NOTIFICATION_TYPE_NAME = /^[a-z][a-z0-9_.:-]{0,99}$/;

const registry = new Map<string, NotificationTypeDefinition>();

/** Registers a type; registering it again the same way is harmless, differently is a programming error. */
export function defineNotificationType(type: string, definition: NotificationTypeDefinition): void {
  if (!NOTIFICATION_TYPE_NAME.test(type)) {
    throw new AppError('internal', `"${type}" is not a notification type name (lower case, digits, _ . : -)`);
  }
  if (!isNotificationChannel(definition.defaultChannel)) {
    throw new AppError('internal', `"${definition.defaultChannel}" is not a notification channel`);
  }
  const existing = registry.get(type);
  if (
    existing &&
    (existing.defaultChannel !== definition.defaultChannel || existing.label !== definition.label)
  ) {
    throw new AppError('internal', `notification type ${type} is already defined differently`);
  }
  registry.set(type, { defaultChannel: definition.defaultChannel, label: definition.label });
}

export const findNotificationType = (type: string): RegisteredNotificationType | undefined => {
  const definition = registry.get(type);
  return definition && { type, ...definition };
};

export const registeredNotificationTypes = (): RegisteredNotificationType[] =>
  [...registry].map(([type, definition]) => ({ type, ...definition }));

export const defaultChannelOf = (type: string): NotificationChannel =>
  registry.get(type)?.defaultChannel ?? UNREGISTERED_TYPE_CHANNEL;

export const isNotificationChannel = (value: string): value is NotificationChannel =>
  (notificationChannels as readonly string[]).includes(value);

export const reachesInApp = (channel: NotificationChannel): boolean =>
  channel === 'in_app' || channel === 'both';

export const reachesEmail = (channel: NotificationChannel): boolean =>
  channel === 'email' || channel === 'both';
