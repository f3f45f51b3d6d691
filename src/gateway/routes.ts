import { createRouter } from '../core/http';
import { accountRoutes } from './calls/routes';
import { signedAccountRoutes } from './calls/signed-routes';
import { depositRoutes } from './deposits/routes';
import type { GatewayDeps } from './deps';
import { encryptedRoutes } from './encrypted/routes';
import { grantRoutes } from './grants/routes';
import { providerRoutes } from './providers/routes';
import { serverRoutes } from './servers/routes';
import { settlementRoutes } from './settlement/routes';
import { withdrawalRoutes } from './withdrawals/routes';
import { x402Routes } from './x402/routes';

/** Every route of the gateway line, under /api/gateway. */
export function gatewayRoutes(deps: GatewayDeps) {
  const router = createRouter();
  router.route('/', providerRoutes(deps));
  router.route('/', serverRoutes(deps));
  router.route('/', depositRoutes(deps));
  router.route('/', grantRoutes(deps));
  router.route('/', accountRoutes(deps));
  router.route('/', signedAccountRoutes(deps));
  router.route('/', withdrawalRoutes(deps));
  router.route('/', settlementRoutes(deps));
  router.route('/', encryptedRoutes(deps));
  router.route('/', x402Routes(deps));
  return router;
}
