import { api, call } from '../../../api/client';
import type { CoopOrderDetail } from '../../../api/types';
import { useResource } from '../../../hooks/useResource';

/** Where an order's pages are: the address notifications link to, and the pages under it. */
export const orderPaths = (clubId: string, orderId: string) => {
  const base = `/coop/clubs/${clubId}/orders/${orderId}`;
  return {
    order: base,
    myOrder: `${base}/my-order`,
    books: `${base}/books`,
    delivery: (producerId: string) => `${base}/producers/${producerId}/delivery`,
    sheet: (producerId: string, format: 'pdf' | 'csv', byHousehold: boolean) =>
      `/api/coop/orders/${orderId}/producers/${producerId}/sheet.${format}?by_household=${byHousehold}`,
    invoice: (producerId: string) => `/api/coop/orders/${orderId}/producers/${producerId}/invoice`,
  };
};

/** The club's orders, newest first. */
export function useOrders(clubId: string) {
  return useResource(
    `coop-orders:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/orders', { params: { path: { id: clubId } } }))).items,
  );
}

/** An order as its page shows it, with what the signed-in person may do in it. */
export function useOrder(orderId: string) {
  return useResource(`coop-order:${orderId}`, () =>
    call(api.GET('/api/coop/orders/{id}', { params: { path: { id: orderId } } })),
  );
}

/** The products on offer in an order. */
export function useCatalogue(orderId: string) {
  return useResource(
    `coop-catalogue:${orderId}`,
    async () =>
      (await call(api.GET('/api/coop/orders/{id}/catalogue', { params: { path: { id: orderId } } }))).items,
  );
}

/** The signed-in person's household's order. */
export function useHouseholdOrder(orderId: string) {
  return useResource(`coop-household-order:${orderId}`, async () => {
    const order = await call(
      api.GET('/api/coop/orders/{id}/household-order', { params: { path: { id: orderId } } }),
    );
    if (!order) throw new Error('The household’s order did not load.');
    return order;
  });
}

/** The order's producers that have not confirmed their delivery yet (those that deliver this time). */
export const unconfirmedDeliveries = (order: CoopOrderDetail) =>
  order.producers.filter((p) => p.answer === 'available' && !p.delivery_confirmed_at);

/** The producers that owe the club an invoice for the order, or whose invoice is not paid yet. */
export const invoicesOutstanding = (order: CoopOrderDetail) =>
  order.producers.filter(
    (p) =>
      p.answer === 'available' &&
      (p.invoice
        ? !p.invoice.paid_at
        : p.expected_invoice_cents !== null && BigInt(p.expected_invoice_cents) > 0n),
  );
