import type { ReactNode } from 'react';
import { useRoutes } from 'react-router';
import { NotFoundPage } from '../../pages/NotFoundPage';
import { RequireSignIn } from '../../session/RequireSignIn';
import { AccountsPage } from './books/AccountsPage';
import { BankPage } from './books/BankPage';
import { CoopHomePage } from './CoopHomePage';
import { ClubHomePage } from './club/ClubHomePage';
import { ClubLayout } from './club/ClubLayout';
import { InviteLinksPage } from './club/InviteLinksPage';
import { MembersPage } from './club/MembersPage';
import { SettingsPage } from './club/SettingsPage';
import { HouseholdPage } from './households/HouseholdPage';
import { HouseholdsPage } from './households/HouseholdsPage';
import { JoinClubPage } from './JoinClubPage';
import { BooksPage } from './orders/BooksPage';
import { DeliveryCheckPage } from './orders/DeliveryCheckPage';
import { HouseholdOrderPage } from './orders/HouseholdOrderPage';
import { OrderPage } from './orders/OrderPage';
import { OrdersPage } from './orders/OrdersPage';
import { ProducerPage } from './producers/ProducerPage';
import { ProducersPage } from './producers/ProducersPage';
import { ProductPage } from './products/ProductPage';
import { ProductsPage } from './products/ProductsPage';

const signedIn = (page: ReactNode) => <RequireSignIn>{page}</RequireSignIn>;

/** The coop line's pages, all under /coop: loaded as a bundle of their own on the first visit. */
export default function CoopPages() {
  return useRoutes([
    { index: true, element: <CoopHomePage /> },
    // An invite link: a page for anyone, which sends a visitor to log in or sign up and back.
    { path: 'join/:token', element: <JoinClubPage /> },
    {
      path: 'clubs/:clubId',
      element: signedIn(<ClubLayout />),
      children: [
        { index: true, element: <ClubHomePage /> },
        { path: 'orders', element: <OrdersPage /> },
        // Notifications link here: /coop/clubs/{club}/orders/{order}.
        { path: 'orders/:orderId', element: <OrderPage /> },
        { path: 'orders/:orderId/my-order', element: <HouseholdOrderPage /> },
        { path: 'orders/:orderId/producers/:producerId/delivery', element: <DeliveryCheckPage /> },
        { path: 'orders/:orderId/books', element: <BooksPage /> },
        { path: 'households', element: <HouseholdsPage /> },
        { path: 'households/:householdId', element: <HouseholdPage /> },
        { path: 'producers', element: <ProducersPage /> },
        { path: 'producers/:producerId', element: <ProducerPage /> },
        { path: 'products', element: <ProductsPage /> },
        { path: 'products/:productId', element: <ProductPage /> },
        { path: 'bank', element: <BankPage /> },
        { path: 'accounts', element: <AccountsPage /> },
        { path: 'members', element: <MembersPage /> },
        { path: 'invite-links', element: <InviteLinksPage /> },
        { path: 'settings', element: <SettingsPage /> },
      ],
    },
    { path: '*', element: <NotFoundPage /> },
  ]);
}
