import { createRouter } from '../core/http';
import { accountRoutes } from './account-routes';
import type { CreditsDeps } from './deps';
import { productRoutes } from './product-routes';
import { purchaseRoutes } from './purchase-routes';
import { spendingRoutes } from './spending-routes';
import { workspaceRoutes } from './workspace-routes';

/** Everything under /api/credits. */
export function creditsRoutes(deps: CreditsDeps) {
  const router = createRouter();
  router.route('/', productRoutes(deps));
  router.route('/', purchaseRoutes(deps));
  router.route('/', workspaceRoutes(deps));
  router.route('/', spendingRoutes(deps));
  router.route('/', accountRoutes(deps));
  return router;
}
