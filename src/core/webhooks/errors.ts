import { defineErrors } from '../errors';

/** The refusals of outgoing webhooks, whichever line's owner meets them. */
export const webhookErrors = defineErrors({
  webhook_endpoint_limit: {
    status: 409,
    description: 'The owner has as many webhook endpoints as one may have (details.limit)',
  },
  webhook_endpoint_disabled: {
    status: 409,
    description: 'The webhook endpoint is disabled: enable it before sending it anything',
  },
  webhook_delivery_pending: {
    status: 409,
    description: 'The delivery is still being attempted; redeliver it once it is delivered or failed',
  },
});
