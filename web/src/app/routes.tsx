import { lazy, type ReactNode } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { webLines } from '../lines';
import { AuditLogPage } from '../pages/admin/AuditLogPage';
import { ForgotPasswordPage } from '../pages/auth/ForgotPasswordPage';
import { LogInPage } from '../pages/auth/LogInPage';
import { ResetPasswordPage } from '../pages/auth/ResetPasswordPage';
import { SignUpPage } from '../pages/auth/SignUpPage';
import { VerifyEmailPage } from '../pages/auth/VerifyEmailPage';
import { HomePage } from '../pages/home/HomePage';
import { ProductLinePage } from '../pages/home/ProductLinePage';
import { InvitationPage } from '../pages/invitations/InvitationPage';
import { MailboxPage } from '../pages/mailbox/MailboxPage';
import { MailMessagePage } from '../pages/mailbox/MailMessagePage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { NotificationSettingsPage } from '../pages/notifications/NotificationSettingsPage';
import { NotificationsPage } from '../pages/notifications/NotificationsPage';
import { OrganisationPage } from '../pages/orgs/OrganisationPage';
import { OrganisationsPage } from '../pages/orgs/OrganisationsPage';
import { ApiKeysPage } from '../pages/settings/ApiKeysPage';
import { RequireSignIn } from '../session/RequireSignIn';
import { AppLayout } from './layout/AppLayout';

const signedIn = (page: ReactNode) => <RequireSignIn>{page}</RequireSignIn>;

// The pages that use wallets come with wagmi, in a bundle of their own.
type WalletPageName = keyof typeof import('../wallet/WalletPages');
const fromWalletPages = (name: WalletPageName) =>
  lazy(() => import('../wallet/WalletPages').then((module) => ({ default: module[name] })));
const WalletRoute = fromWalletPages('WalletRoute');
const WalletSignInRoute = fromWalletPages('WalletSignInRoute');
const ChainStatusRoute = fromWalletPages('ChainStatusRoute');
const ProfileRoute = fromWalletPages('ProfileRoute');

export const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    children: [
      { index: true, element: <HomePage /> },
      ...webLines.flatMap(
        (line) => line.routes ?? [{ path: line.slug, element: <ProductLinePage line={line} /> }],
      ),
      { path: 'signup', element: <SignUpPage /> },
      { path: 'login', element: <LogInPage /> },
      { path: 'forgot-password', element: <ForgotPasswordPage /> },
      { path: 'reset-password', element: <ResetPasswordPage /> },
      { path: 'verify-email', element: <VerifyEmailPage /> },
      { path: 'login/wallet', element: <WalletSignInRoute /> },
      { path: 'wallet', element: signedIn(<WalletRoute />) },
      { path: 'invitations/:token', element: <InvitationPage /> },
      { path: 'settings', element: <Navigate to="/settings/profile" replace /> },
      { path: 'settings/profile', element: signedIn(<ProfileRoute />) },
      { path: 'settings/api-keys', element: signedIn(<ApiKeysPage />) },
      { path: 'settings/notifications', element: signedIn(<NotificationSettingsPage />) },
      { path: 'orgs', element: signedIn(<OrganisationsPage />) },
      { path: 'orgs/:orgId', element: signedIn(<OrganisationPage />) },
      { path: 'notifications', element: signedIn(<NotificationsPage />) },
      { path: 'mailbox', element: <MailboxPage /> },
      { path: 'mailbox/:messageId', element: <MailMessagePage /> },
      { path: 'admin/audit', element: <RequireSignIn adminOnly>{<AuditLogPage />}</RequireSignIn> },
      { path: 'admin/chain', element: <RequireSignIn adminOnly>{<ChainStatusRoute />}</RequireSignIn> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
