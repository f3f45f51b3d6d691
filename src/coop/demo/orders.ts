import { sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { queryRows } from '../../core/database';
import { formatAmount, parseAmount } from '../../core/money';
import { renderPdf } from '../../core/pdf';
import type { CoopDeps } from '../deps';
import { markInvoicePaid, markPaymentReceived, uploadInvoice } from '../orders/billing';
import { closeOrder } from '../orders/close';
import { confirmDelivery, recordDelivery } from '../orders/deliveries';
import { getOrderDetail } from '../orders/detail';
import { type CatalogueProduct, orderCatalogue, setOrderLine } from '../orders/household-orders';
import { answerForProducer, createOrder, openOrder } from '../orders/service';

/**
 * Two orders for the demo club, made through the order services: one finished (a shortage, weighed
 * potatoes, a missing lettuce, every bill and invoice paid) and one open for a week with the
 * households' orders in it. Made only when the club has no order yet.
 */

const HOUR = 3600_000;

/** What each household orders, by product code. */
type Basket = Record<string, number>;

export async function makeDemoOrders(
  deps: CoopDeps,
  clubId: string,
  people: { manager: Actor; bookkeeper: Actor; households: { name: string; buyer: Actor }[] },
): Promise<string[]> {
  const [any] = await queryRows<{ id: string }>(
    deps.db,
    sql`SELECT id FROM coop_orders WHERE club_id = ${clubId} LIMIT 1`,
  );
  if (any) return [];

  const finished = await runOrder(deps, clubId, people, 'Saturday 10:00–12:00 in the community hall', [
    { 'LH-TOM': 2, 'LH-POT': 2, 'SW-MILK': 3, 'MS-HON': 1 },
    { 'LH-CAR': 2, 'SW-YOG': 2, 'MS-FLO': 1 },
    { 'LH-POT': 1, 'SW-MILK': 2, 'LH-SAL': 1 },
  ]);
  const detail = await getOrderDetail(deps, people.manager, finished.id);
  await settle(deps, detail.id, people);

  await runOrder(
    deps,
    clubId,
    people,
    'Saturday 10:00–12:00 in the community hall',
    [
      { 'LH-TOM': 1, 'SW-BUT': 1, 'MS-OAT': 2 },
      { 'LH-KAL': 1, 'SW-MILK': 2 },
      { 'LH-PUM': 1, 'MS-APJ': 1, 'SW-YOG': 1 },
    ],
    { stayOpen: true },
  );
  return [
    'Order 1 finished (bills and invoices paid), order 2 open for a week with three households’ orders',
  ];
}

async function runOrder(
  deps: CoopDeps,
  clubId: string,
  people: { manager: Actor; households: { name: string; buyer: Actor }[] },
  pickup: string,
  baskets: Basket[],
  options: { stayOpen?: boolean } = {},
) {
  const order = await createOrder(deps, people.manager, clubId, { pickup });
  const detail = await getOrderDetail(deps, people.manager, order.id);
  for (const producer of detail.producers) {
    await answerForProducer(deps, people.manager, order.id, producer.producerId, {
      available: true,
      productsUpToDate: true,
    });
  }
  const days = options.stayOpen ? 7 : 1;
  await openOrder(deps, people.manager, order.id, {
    deadline: new Date(deps.clock.now().getTime() + days * 24 * HOUR),
  });
  const catalogue = new Map(
    (await orderCatalogue(deps, people.manager, order.id)).map((p): [string, CatalogueProduct] => [
      p.code,
      p,
    ]),
  );
  for (const [index, basket] of baskets.entries()) {
    const buyer = people.households[index]!.buyer;
    for (const [code, quantity] of Object.entries(basket)) {
      const product = catalogue.get(code);
      if (!product) throw new Error(`the demo catalogue has no ${code}`);
      await setOrderLine(deps, buyer, order.id, product.productId, { quantity, version: product.version });
    }
  }
  if (!options.stayOpen) await closeOrder(deps, people.manager, order.id);
  return order;
}

/** The delivery checked (potatoes weighed, the lettuce missing), every bill paid and every invoice paid. */
async function settle(
  deps: CoopDeps,
  orderId: string,
  people: { manager: Actor; bookkeeper: Actor },
): Promise<void> {
  const closed = await getOrderDetail(deps, people.manager, orderId);
  const potatoes = closed.products.find((p) => p.name.startsWith('Potatoes'));
  if (potatoes) {
    const weights = [['1.05', '0.96'], ['1.12']];
    await recordDelivery(deps, people.manager, orderId, potatoes.productId, {
      outcome: 'delivered',
      households: potatoes.households.map((h, index) => ({
        householdId: h.householdId,
        weights: (weights[index] ?? ['1.00']).map((w) => parseAmount(w, 3)),
      })),
    });
  }
  const lettuce = closed.products.find((p) => p.name === 'Lettuce');
  if (lettuce) {
    await recordDelivery(deps, people.manager, orderId, lettuce.productId, {
      outcome: 'missing',
      comment: 'Frost damage: none were fit to sell',
    });
  }
  for (const producer of closed.producers.filter((p) => p.answer === 'available' && !p.deliveryConfirmedAt)) {
    await confirmDelivery(deps, people.manager, orderId, producer.producerId);
  }
  const processed = await getOrderDetail(deps, people.bookkeeper, orderId);
  for (const bill of processed.bills.filter((b) => b.paymentState !== 'paid')) {
    await markPaymentReceived(deps, people.bookkeeper, orderId, bill.householdId);
  }
  for (const producer of processed.producers.filter((p) => (p.expectedInvoiceCents ?? 0n) > 0n)) {
    const amount = producer.expectedInvoiceCents!;
    const pdf = await renderPdf({
      title: `Invoice: ${producer.name}`,
      createdAt: deps.clock.now(),
      blocks: [
        {
          kind: 'paragraph',
          text: `Order ${processed.number}: ${formatAmount(amount, 2)} EUR, VAT included.`,
        },
      ],
    });
    await uploadInvoice(deps, people.bookkeeper, orderId, producer.producerId, {
      name: `invoice-${processed.number}.pdf`,
      bytes: pdf,
      amountCents: amount,
    });
    await markInvoicePaid(deps, people.bookkeeper, orderId, producer.producerId);
  }
}
