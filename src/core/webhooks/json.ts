import { z } from '@hono/zod-openapi';
import type { WebhookDeliveryView } from './deliveries';
import { webhookDeliveryStates } from './schema';
import type { EndpointWithSecret, WebhookEndpoint } from './service';

/** The API's shapes of endpoints and deliveries, the same under every line that offers webhooks. */

export const WebhookEndpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    events: z.array(z.string()).openapi({ description: 'the event types it receives' }),
    enabled: z.boolean(),
    previous_secret_expires_at: z.string().nullable().openapi({
      description:
        'until then the secret replaced by the last rotation signs too (a second v1= in the header)',
    }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('WebhookEndpoint');

export const WebhookEndpointWithSecretSchema = z
  .object({
    endpoint: WebhookEndpointSchema,
    secret: z.string().openapi({
      description: 'the signing secret (whsec_…): shown this once, keep it where the receiver can read it',
    }),
  })
  .openapi('WebhookEndpointWithSecret');

export const WebhookDeliverySchema = z
  .object({
    id: z.uuid(),
    state: z.enum(webhookDeliveryStates),
    event: z.object({ id: z.uuid(), type: z.string(), created_at: z.string() }),
    endpoint: z.object({ id: z.uuid(), url: z.string() }),
    attempt_count: z.number().int().openapi({ description: 'attempts started so far' }),
    max_attempts: z.number().int().openapi({ description: 'the attempt after which a failure is final' }),
    next_attempt_at: z
      .string()
      .nullable()
      .openapi({ description: 'when the next attempt is due, while pending' }),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
    attempts: z.array(
      z.object({
        number: z.number().int(),
        started_at: z.string(),
        duration_ms: z.number().int(),
        status_code: z.number().int().nullable().openapi({ description: 'null when no answer came' }),
        response_excerpt: z.string().nullable().openapi({ description: 'the answer’s first kilobyte' }),
        error: z.string().nullable(),
      }),
    ),
  })
  .openapi('WebhookDelivery');

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const webhookEndpointJson = (endpoint: WebhookEndpoint) => ({
  id: endpoint.id,
  url: endpoint.url,
  events: endpoint.eventTypes,
  enabled: endpoint.enabled,
  previous_secret_expires_at: iso(endpoint.previousSecretExpiresAt),
  created_at: endpoint.createdAt.toISOString(),
  updated_at: endpoint.updatedAt.toISOString(),
});

export const webhookEndpointWithSecretJson = (made: EndpointWithSecret) => ({
  endpoint: webhookEndpointJson(made.endpoint),
  secret: made.secret,
});

export const webhookDeliveryJson = (delivery: WebhookDeliveryView) => ({
  id: delivery.id,
  state: delivery.state,
  event: {
    id: delivery.event.id,
    type: delivery.event.type,
    created_at: delivery.event.createdAt.toISOString(),
  },
  endpoint: delivery.endpoint,
  attempt_count: delivery.attempts,
  max_attempts: delivery.finalAttempt,
  next_attempt_at: iso(delivery.nextAttemptAt),
  last_status: delivery.lastStatus,
  last_error: delivery.lastError,
  created_at: delivery.createdAt.toISOString(),
  delivered_at: iso(delivery.deliveredAt),
  attempts: delivery.attemptLog.map((attempt) => ({
    number: attempt.number,
    started_at: attempt.startedAt.toISOString(),
    duration_ms: attempt.durationMs,
    status_code: attempt.statusCode,
    response_excerpt: attempt.responseExcerpt,
    error: attempt.error,
  })),
});
