import { createRouter } from '../core/http';
import { accessRoutes } from './access/routes';
import { checkoutRoutes } from './checkouts/routes';
import type { StreamsDeps } from './deps';
import { planRoutes } from './plans/routes';
import { producerRoutes } from './producers/routes';
import { receiptRoutes } from './receipts/routes';
import { subscriptionRoutes } from './subscriptions/routes';
import { producerWebhookRoutes } from './webhooks/routes';
import { widgetRoutes } from './widget/routes';

/** Everything under /api/streams, concept by concept. */
export function streamsRoutes(deps: StreamsDeps) {
  const router = createRouter();
  router.route('/', producerRoutes(deps));
  router.route('/', planRoutes(deps));
  router.route('/', checkoutRoutes(deps));
  router.route('/', subscriptionRoutes(deps));
  router.route('/', accessRoutes(deps));
  router.route('/', producerWebhookRoutes(deps));
  router.route('/', receiptRoutes(deps));
  router.route('/', widgetRoutes(deps));
  return router;
}
