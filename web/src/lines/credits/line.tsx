import { lazy } from 'react';
import type { WebLine } from '../types';

const CreditsPages = lazy(() => import('./CreditsPages'));
// A product's payment link: a page for anyone, with the wallet code it pays with, in a bundle of its own.
const CheckoutPage = lazy(() => import('./checkout/CheckoutPage'));
const OnboardingLink = lazy(() =>
  import('./OnboardingLinkRedirect').then((module) => ({ default: module.OnboardingLinkRedirect })),
);

/** The credits line: its card, and its pages under /credits (a bundle of their own). */
export const creditsLine: WebLine = {
  slug: 'credits',
  name: 'Credits',
  tagline: 'Credits for SaaS products and their resellers.',
  summary:
    'Products carry credits that people spend on actions in workspaces; credits are reserved, used and refilled every cycle, and whitelabel resellers sell products of their own.',
  people: 'Customers of a SaaS product, whitelabel resellers and their customers, and administrators.',
  capabilities: [
    'Buy a generic or whitelabel product: the purchase creates the account and mails its login details.',
    'Create workspaces and spend credits on actions; a workspace reserves credits for the work done in it.',
    'See every credit usage, and the refill that resets credits at each cycle.',
    'As a whitelabel reseller: create products of your own, on your own domain, without ever handing out more credits than you hold.',
    'As a whitelabel reseller: show your customers your own name, colours and logo, mail them from your domain, and see the credits each of them uses.',
  ],
  routes: [
    { path: 'credits/*', element: <CreditsPages /> },
    { path: 'buy/:productId', element: <CheckoutPage /> },
    // The first-login link the purchase mail carries.
    { path: 'onboarding', element: <OnboardingLink /> },
  ],
};
