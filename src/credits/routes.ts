import type { FileDeps } from '../core/files/service';
import { createRouter } from '../core/http';
import { checkoutRoutes } from './checkout/routes';
import type { CreditsDeps } from './deps';
import { floatRoutes } from './float/routes';
import type { FloatDeps } from './float/top-ups';
import { peopleRoutes } from './people/routes';
import { productRoutes } from './products/routes';
import { purchaseRoutes } from './purchases/routes';
import { spendingRoutes } from './spending/routes';
import { tenantDatabaseRoutes } from './tenant-databases/routes';
import type { TenantDatabaseDeps } from './tenant-databases/settings';
import { shopFinder } from './tenant-databases/shop-products';
import { brandingRoutes } from './whitelabel/branding-routes';
import { resellerCustomerRoutes } from './whitelabel/customers-routes';
import { whitelabelRoutes } from './whitelabel/routes';
import { workspaceRoutes } from './workspaces/routes';

/** Everything under /api/credits, concept by concept. */
export function creditsRoutes(
  deps: CreditsDeps,
  files: FileDeps,
  tenantDatabaseDeps: TenantDatabaseDeps,
  floatDeps: FloatDeps,
) {
  const router = createRouter();
  router.route('/', productRoutes({ ...deps, databases: floatDeps.tenants }));
  router.route('/', purchaseRoutes(deps, shopFinder(floatDeps)));
  router.route('/', workspaceRoutes(deps));
  router.route('/', spendingRoutes(deps));
  router.route('/', peopleRoutes(deps));
  router.route('/', whitelabelRoutes(deps));
  router.route('/', tenantDatabaseRoutes(tenantDatabaseDeps));
  router.route('/', brandingRoutes({ ...deps, files }));
  router.route('/', resellerCustomerRoutes({ ...deps, databases: floatDeps.tenants }));
  router.route('/', checkoutRoutes(deps));
  router.route('/', floatRoutes(floatDeps));
  return router;
}
