import { api, call } from '../../../api/client';
import { useResource } from '../../../hooks/useResource';

/** Where the club's bank pages are. */
export const bankPath = (clubId: string) => `/coop/clubs/${clubId}/bank`;

/** Where households pay the club; null until the bookkeeper sets it. */
export function useClubBankAccount(clubId: string) {
  return useResource(
    `coop-bank-account:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/bank-account', { params: { path: { id: clubId } } })))
        .account,
  );
}

/** Every line of the club's statements, those waiting for the bookkeeper first. */
export function useBankLines(clubId: string) {
  return useResource(
    `coop-bank-lines:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/bank-lines', { params: { path: { id: clubId } } }))).items,
  );
}

/** The statements imported, newest first. */
export function useBankStatements(clubId: string) {
  return useResource(
    `coop-bank-statements:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/bank-statements', { params: { path: { id: clubId } } })))
        .items,
  );
}

/** The payment files made for producers, newest first. */
export function usePaymentBatches(clubId: string) {
  return useResource(
    `coop-payment-batches:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/payment-batches', { params: { path: { id: clubId } } })))
        .items,
  );
}

/** A household's bill still to be paid, as a waiting line can be assigned to it. */
export interface OpenBill {
  order_id: string;
  order_number: number;
  household_id: string;
  household_name: string;
  owed_cents: string;
}

/** The key a bill goes by in a select: its order and household. */
export const billKey = (bill: { order_id: string; household_id: string }) =>
  `${bill.order_id}:${bill.household_id}`;

/** The bills not paid yet of the club's processed orders, by order then household. */
export function useOpenBills(clubId: string) {
  return useResource(`coop-open-bills:${clubId}`, async (): Promise<OpenBill[]> => {
    const { items } = await call(
      api.GET('/api/coop/clubs/{id}/orders', {
        params: { path: { id: clubId }, query: { status: 'processed' } },
      }),
    );
    const orders = await Promise.all(
      items.map((order) => call(api.GET('/api/coop/orders/{id}', { params: { path: { id: order.id } } }))),
    );
    return orders
      .sort((a, b) => a.number - b.number)
      .flatMap((order) =>
        order.bills
          .filter((bill) => bill.payment_state !== 'paid')
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((bill) => ({
            order_id: order.id,
            order_number: order.number,
            household_id: bill.household_id,
            household_name: bill.name,
            owed_cents: (BigInt(bill.total_cents) - BigInt(bill.received_cents)).toString(),
          })),
      );
  });
}

/** Whether the club collects by direct debit, and its creditor identifier; null when off. */
export function useDirectDebitSettings(clubId: string) {
  return useResource(
    `coop-direct-debit:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/direct-debit', { params: { path: { id: clubId } } })))
        .settings,
  );
}

/** The household's active direct debit mandate, or null. */
export function useHouseholdMandate(householdId: string) {
  return useResource(
    `coop-mandate:${householdId}`,
    async () =>
      (
        await call(
          api.GET('/api/coop/households/{id}/direct-debit-mandate', {
            params: { path: { id: householdId } },
          }),
        )
      ).mandate,
  );
}

/** The club's mandates, the active ones first. */
export function useMandates(clubId: string) {
  return useResource(
    `coop-mandates:${clubId}`,
    async () =>
      (
        await call(
          api.GET('/api/coop/clubs/{id}/direct-debit-mandates', { params: { path: { id: clubId } } }),
        )
      ).items,
  );
}

/** The due bills of households with a mandate, and those in a collection sent. */
export function useDebitableBills(clubId: string) {
  return useResource(
    `coop-debitable-bills:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/direct-debit-bills', { params: { path: { id: clubId } } })))
        .items,
  );
}

/** The direct debit collections, newest first. */
export function useCollections(clubId: string) {
  return useResource(
    `coop-collections:${clubId}`,
    async () =>
      (
        await call(
          api.GET('/api/coop/clubs/{id}/direct-debit-collections', { params: { path: { id: clubId } } }),
        )
      ).items,
  );
}
