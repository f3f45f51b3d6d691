import { AppError } from '../errors';
import { notificationChannels } from './schema';

/**
 * The kinds of notification product lines send (`coop.order_ready`, `credits.low_balance`…). Each
 * line lists its types; one Tally builds the registry from its lines, so a person's settings list
 * every one of them.
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

function checkDefinition(type: string, definition: NotificationTypeDefinition): void {
  if (!NOTIFICATION_TYPE_NAME.test(type)) {
    throw new AppError('internal', `"${type}" is not a notification type name (lower case, digits, _ . : -)`);
  }
  if (!isNotificationChannel(definition.defaultChannel)) {
    throw new AppError('internal', `"${definition.defaultChannel}" is not a notification channel`);
  }
}

/** Every notification type one Tally sends; a type declared twice differently is a programming error. */
export class NotificationTypes {
  private readonly byType = new Map<string, NotificationTypeDefinition>();

  constructor(types: Readonly<Record<string, NotificationTypeDefinition>>[]) {
    for (const declared of types) {
      for (const [type, definition] of Object.entries(declared)) {
        checkDefinition(type, definition);
        const existing = this.byType.get(type);
        if (
          existing &&
          (existing.defaultChannel !== definition.defaultChannel || existing.label !== definition.label)
        ) {
          throw new AppError('internal', `notification type ${type} is declared twice, differently`);
        }
        this.byType.set(type, { defaultChannel: definition.defaultChannel, label: definition.label });
      }
    }
  }

  find(type: string): RegisteredNotificationType | undefined {
    const definition = this.byType.get(type);
    return definition && { type, ...definition };
  }

  list(): RegisteredNotificationType[] {
    return [...this.byType].map(([type, definition]) => ({ type, ...definition }));
  }

  defaultChannelOf(type: string): NotificationChannel {
    return this.byType.get(type)?.defaultChannel ?? UNREGISTERED_TYPE_CHANNEL;
  }
}

export const isNotificationChannel = (value: string): value is NotificationChannel =>
  (notificationChannels as readonly string[]).includes(value);

export const reachesInApp = (channel: NotificationChannel): boolean =>
  channel === 'in_app' || channel === 'both';

export const reachesEmail = (channel: NotificationChannel): boolean =>
  channel === 'email' || channel === 'both';
