import type { ReactNode } from 'react';
import { Navigate, useRoutes } from 'react-router';
import { NotFoundPage } from '../../pages/NotFoundPage';
import { RequireSignIn } from '../../session/RequireSignIn';
import { KycQueuePage } from './admin/KycQueuePage';
import { ProviderReviewPage } from './admin/ProviderReviewPage';
import { SettingsPage } from './admin/SettingsPage';
import { SettlementPage } from './admin/SettlementPage';
import { SettlementsPage } from './admin/SettlementsPage';
import { CataloguePage } from './catalogue/CataloguePage';
import { CatalogueServerPage } from './catalogue/CatalogueServerPage';
import { DepositDetailPage } from './consumer/DepositDetailPage';
import { DepositPage } from './consumer/DepositPage';
import { GatewayHomePage } from './consumer/GatewayHomePage';
import { HistoryPage } from './consumer/HistoryPage';
import { PlaygroundPage } from './consumer/PlaygroundPage';
import { SessionKeysPage } from './consumer/SessionKeysPage';
import { WithdrawPage } from './consumer/WithdrawPage';
import { EarningsPage } from './provider/EarningsPage';
import { EncryptedPayoutsPage } from './provider/EncryptedPayoutsPage';
import { KycPage } from './provider/KycPage';
import { ProviderPage } from './provider/ProviderPage';
import { RegisterServerPage } from './provider/RegisterServerPage';
import { ServerPage } from './provider/ServerPage';
import { ServersPage } from './provider/ServersPage';

const signedIn = (page: ReactNode) => <RequireSignIn>{page}</RequireSignIn>;
const adminOnly = (page: ReactNode) => <RequireSignIn adminOnly>{page}</RequireSignIn>;

/** The gateway line's pages, all under /gateway: loaded as a bundle of their own on the first visit. */
export default function GatewayPages() {
  return useRoutes([
    { index: true, element: <GatewayHomePage /> },
    { path: 'catalogue', element: <CataloguePage /> },
    { path: 'catalogue/:slug', element: <CatalogueServerPage /> },
    { path: 'deposit', element: signedIn(<DepositPage />) },
    { path: 'deposits/:depositId', element: signedIn(<DepositDetailPage />) },
    { path: 'history', element: signedIn(<HistoryPage />) },
    { path: 'sessions', element: signedIn(<SessionKeysPage />) },
    { path: 'playground', element: signedIn(<PlaygroundPage />) },
    { path: 'withdraw', element: signedIn(<WithdrawPage />) },
    { path: 'provider', element: signedIn(<ProviderPage />) },
    { path: 'provider/servers', element: signedIn(<ServersPage />) },
    { path: 'provider/servers/new', element: signedIn(<RegisterServerPage />) },
    { path: 'provider/servers/:serverId', element: signedIn(<ServerPage />) },
    { path: 'provider/kyc', element: signedIn(<KycPage />) },
    { path: 'provider/earnings', element: signedIn(<EarningsPage />) },
    { path: 'provider/encrypted', element: signedIn(<EncryptedPayoutsPage />) },
    { path: 'admin', element: <Navigate to="/gateway/admin/kyc" replace /> },
    { path: 'admin/kyc', element: adminOnly(<KycQueuePage />) },
    { path: 'admin/providers/:providerId', element: adminOnly(<ProviderReviewPage />) },
    { path: 'admin/settlements', element: adminOnly(<SettlementsPage />) },
    { path: 'admin/settlements/:settlementId', element: adminOnly(<SettlementPage />) },
    { path: 'admin/settings', element: adminOnly(<SettingsPage />) },
    { path: '*', element: <NotFoundPage /> },
  ]);
}
