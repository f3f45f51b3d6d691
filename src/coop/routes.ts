import { createRouter } from '../core/http';
import { directDebitRoutes } from './books/direct-debit-routes';
import { bookRoutes } from './books/routes';
import { clubRoutes } from './clubs/routes';
import type { CoopDeps } from './deps';
import { householdRoutes } from './households/routes';
import { orderRoutes } from './orders/routes';
import { producerRoutes } from './producers/routes';
import { productRoutes } from './products/routes';

/** Everything under /api/coop, concept by concept. */
export function coopRoutes(deps: CoopDeps) {
  const router = createRouter();
  router.route('/', clubRoutes(deps));
  router.route('/', householdRoutes(deps));
  router.route('/', producerRoutes(deps));
  router.route('/', productRoutes(deps));
  router.route('/', orderRoutes(deps));
  router.route('/', bookRoutes(deps));
  router.route('/', directDebitRoutes(deps));
  return router;
}
