import { lazy } from 'react';
import type { WebLine } from '../types';

const CoopPages = lazy(() => import('./CoopPages'));

/** The coop line: its card, and its pages under /coop (a bundle of their own). */
export const coopLine: WebLine = {
  slug: 'coop',
  name: 'Coop',
  tagline: 'A food buyers club, from order to payment.',
  summary:
    'Households order together from producers: orders move from Preparing to Open, Closed, Processed and Finished, with deliveries checked, invoices uploaded and payments tracked.',
  people: 'Households of a buyers club, producer liaisons, sorters and the bookkeeper.',
  capabilities: [
    'Create or join a household; members approve join requests and can leave.',
    'Add producers and their products (packaging, price, VAT, availability); the liaison decides who may edit them.',
    'Open an order: liaisons confirm availability, households order before the deadline, producers receive a PDF order sheet.',
    'Check the delivery against the order, note what changed, and tell households that food is ready and what they owe.',
    'The bookkeeper checks household payments and pays producer invoices; the order is then finished.',
  ],
  routes: [{ path: 'coop/*', element: <CoopPages /> }],
};
