import { createRouter } from '../core/http';
import { depositRoutes } from './deposits/routes';
import type { GatewayDeps } from './deps';
import { providerRoutes } from './providers/routes';
import { serverRoutes } from './servers/routes';

/** Every route of the gateway line, under /api/gateway. */
export function gatewayRoutes(deps: GatewayDeps) {
  const router = createRouter();
  router.route('/', providerRoutes(deps));
  router.route('/', serverRoutes(deps));
  router.route('/', depositRoutes(deps));
  return router;
}
