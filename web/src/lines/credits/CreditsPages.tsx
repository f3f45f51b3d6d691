import type { ReactNode } from 'react';
import { Navigate, useRoutes } from 'react-router';
import { NotFoundPage } from '../../pages/NotFoundPage';
import { RequireSignIn } from '../../session/RequireSignIn';
import { AdminActionPricesPage } from './admin/AdminActionPricesPage';
import { AdminCheckoutsPage } from './admin/AdminCheckoutsPage';
import { AdminIntegrationsPage } from './admin/AdminIntegrationsPage';
import { AdminProductsPage } from './admin/AdminProductsPage';
import { AdminPurchasesPage } from './admin/AdminPurchasesPage';
import { AdminUserPage } from './admin/AdminUserPage';
import { AdminUsersPage } from './admin/AdminUsersPage';
import { IntegrationPage } from './admin/IntegrationPage';
import { CreditsHomePage } from './CreditsHomePage';
import { CreditsLayout } from './CreditsLayout';
import { CataloguePage } from './catalogue/CataloguePage';
import { GrantPage } from './grants/GrantPage';
import { FirstLoginPage } from './onboarding/FirstLoginPage';
import { ProductPage } from './products/ProductPage';
import { PurchasePage } from './purchases/PurchasePage';
import { ResellerBrandingPage } from './reseller/ResellerBrandingPage';
import { ResellerCustomersPage } from './reseller/ResellerCustomersPage';
import { ResellerDomainPage } from './reseller/ResellerDomainPage';
import { ResellerFloatPage } from './reseller/ResellerFloatPage';
import { ResellerOverviewPage } from './reseller/ResellerOverviewPage';
import { ResellerProductsPage } from './reseller/ResellerProductsPage';
import { ResellerShopPage } from './reseller/ResellerShopPage';
import { UsageDetailPage } from './usage/UsageDetailPage';
import { UsagePage } from './usage/UsagePage';
import { WorkspacePage } from './workspaces/WorkspacePage';
import { WorkspacesPage } from './workspaces/WorkspacesPage';

const signedIn = (page: ReactNode) => <RequireSignIn>{page}</RequireSignIn>;
const adminOnly = (page: ReactNode) => <RequireSignIn adminOnly>{page}</RequireSignIn>;

/** The credits line's pages, all under /credits: loaded as a bundle of their own on the first visit. */
export default function CreditsPages() {
  return useRoutes([
    {
      element: <CreditsLayout />,
      children: [
        { index: true, element: <CreditsHomePage /> },
        { path: 'products', element: <CataloguePage /> },
        { path: 'welcome', element: <FirstLoginPage /> },
        { path: 'workspaces', element: signedIn(<WorkspacesPage />) },
        { path: 'workspaces/:workspaceId', element: signedIn(<WorkspacePage />) },
        { path: 'usage', element: signedIn(<UsagePage />) },
        { path: 'usage/:usageId', element: signedIn(<UsageDetailPage />) },
        { path: 'grants/:grantId', element: signedIn(<GrantPage />) },
        { path: 'purchases/:purchaseId', element: signedIn(<PurchasePage />) },
        { path: 'reseller', element: <Navigate to="/credits/reseller/overview" replace /> },
        { path: 'reseller/overview', element: signedIn(<ResellerOverviewPage />) },
        { path: 'reseller/customers', element: signedIn(<ResellerCustomersPage />) },
        { path: 'reseller/float', element: signedIn(<ResellerFloatPage />) },
        { path: 'reseller/branding', element: signedIn(<ResellerBrandingPage />) },
        { path: 'reseller/products', element: signedIn(<ResellerProductsPage />) },
        { path: 'reseller/products/:productId', element: signedIn(<ProductPage area="reseller" />) },
        { path: 'reseller/shop', element: signedIn(<ResellerShopPage />) },
        { path: 'reseller/domain', element: signedIn(<ResellerDomainPage />) },
        { path: 'admin', element: <Navigate to="/credits/admin/products" replace /> },
        { path: 'admin/products', element: adminOnly(<AdminProductsPage />) },
        { path: 'admin/products/:productId', element: adminOnly(<ProductPage area="admin" />) },
        { path: 'admin/users', element: adminOnly(<AdminUsersPage />) },
        { path: 'admin/users/:userId', element: adminOnly(<AdminUserPage />) },
        { path: 'admin/purchases', element: adminOnly(<AdminPurchasesPage />) },
        { path: 'admin/checkouts', element: adminOnly(<AdminCheckoutsPage />) },
        { path: 'admin/action-prices', element: adminOnly(<AdminActionPricesPage />) },
        { path: 'admin/integrations', element: adminOnly(<AdminIntegrationsPage />) },
        { path: 'admin/integrations/:integrationId', element: adminOnly(<IntegrationPage />) },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
