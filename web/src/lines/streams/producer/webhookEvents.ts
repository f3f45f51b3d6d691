import type { paths } from '../../../api/schema';

/** An event type a producer's endpoint may choose. */
export type EventType =
  paths['/api/streams/producer/webhooks']['post']['requestBody']['content']['application/json']['events'][number];

/** What each event means, in the words of the subscription's states. */
export const eventLabels: Record<EventType, { label: string; description: string }> = {
  'subscription.created': { label: 'Created', description: 'A wallet’s stream started a subscription.' },
  'subscription.at_risk': {
    label: 'At risk',
    description: 'The subscriber’s balance runs out within 7 days.',
  },
  'subscription.resumed': {
    label: 'Resumed',
    description: 'A subscription at risk is safe again: the balance lasts longer now.',
  },
  'subscription.closed': { label: 'Closed', description: 'The subscriber or Tally closed the stream.' },
  'subscription.liquidated': {
    label: 'Liquidated',
    description: 'The balance ran out and the stream was liquidated.',
  },
  'subscription.plan_changed': {
    label: 'Plan changed',
    description: 'The subscriber moved to another of your plans.',
  },
};
export const eventTypes = Object.keys(eventLabels) as EventType[];

/** An event type in words: "Closed", or the type itself when it is not a subscription's (a test). */
export const eventWords = (type: string): string =>
  type === 'webhook.test' ? 'Test' : (eventLabels[type as EventType]?.label ?? type);
