import type { ReactNode } from 'react';
import { useRoutes } from 'react-router';
import { NotFoundPage } from '../../pages/NotFoundPage';
import { RequireSignIn } from '../../session/RequireSignIn';
import { CataloguePage } from './catalogue/CataloguePage';
import { ProducerOfferPage } from './catalogue/ProducerOfferPage';
import { CheckoutPage } from './checkout/CheckoutPage';
import { PlanFormPage } from './plans/PlanFormPage';
import { ProducerPage } from './producer/ProducerPage';
import { ChangePage } from './subscriptions/ChangePage';
import { SubscriptionsPage } from './subscriptions/SubscriptionsPage';

const signedIn = (page: ReactNode) => <RequireSignIn>{page}</RequireSignIn>;

/** The streams line's pages, all under /streams: loaded as a bundle of their own on the first visit. */
export default function StreamsPages() {
  return useRoutes([
    { index: true, element: <CataloguePage /> },
    { path: 'producers/:producerId', element: <ProducerOfferPage /> },
    { path: 'plans/:planId/checkout', element: signedIn(<CheckoutPage />) },
    { path: 'subscriptions', element: signedIn(<SubscriptionsPage />) },
    { path: 'subscriptions/:subscriptionId/change', element: signedIn(<ChangePage mode="change" />) },
    { path: 'subscriptions/:subscriptionId/cancel', element: signedIn(<ChangePage mode="cancel" />) },
    { path: 'producer', element: signedIn(<ProducerPage />) },
    { path: 'producer/plans/new', element: signedIn(<PlanFormPage />) },
    { path: 'producer/plans/:planId', element: signedIn(<PlanFormPage />) },
    { path: '*', element: <NotFoundPage /> },
  ]);
}
