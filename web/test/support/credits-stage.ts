import { within } from '@testing-library/react';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows } from '../../../src/core/database';
import type { TestPerson, TestTally } from '../../../test/support/app';
import { customerOf, freshEmail, makeProduct, ok, type ProductOptions } from '../../../test/support/credits';

/**
 * The stage of the credits line's form tests: people, products, workspaces and resellers made
 * through the real API, and the changes "meanwhile" (a session ended, rights taken away) that make
 * the server refuse what a page still offers.
 */

/**
 * What jsdom lacks and the credits forms' Mantine inputs need, installed once per file: `document.fonts`,
 * which the autosizing Textarea (a product's description) listens to; and a viewport and boxes of
 * some size, since a dropdown (Select, MultiSelect) whose input is not inside the viewport counts as
 * scrolled out of view and is hidden (jsdom measures everything, the viewport too, as 0×0).
 */
export function installInputApis(): void {
  if (!('fonts' in document)) {
    Object.defineProperty(document, 'fonts', {
      configurable: true,
      value: { addEventListener: () => {}, removeEventListener: () => {}, ready: Promise.resolve() },
    });
  }
  window.HTMLElement.prototype.getBoundingClientRect = function box() {
    return DOMRect.fromRect({ x: 10, y: 10, width: 200, height: 30 });
  };
  for (const [name, value] of [
    ['clientWidth', 1024],
    ['clientHeight', 768],
  ] as const) {
    Object.defineProperty(document.documentElement, name, { configurable: true, value });
  }
}

/** The input labelled `label` inside `form`. */
export const field = (form: HTMLElement, label: RegExp | string) =>
  within(form).getByLabelText(label) as HTMLInputElement;

/** The message shown under an input (Mantine's error element, which the input's aria-describedby names), or null. */
export function fieldError(input: HTMLElement): string | null {
  return input.ownerDocument.getElementById(`${input.id}-error`)?.textContent ?? null;
}

/** The value a page's facts give `label` (its description list), as shown. */
export function fact(container: HTMLElement, label: string): string | null {
  const term = within(container)
    .queryAllByText(label)
    .find((element) => element.tagName === 'DT');
  return term?.nextElementSibling?.textContent ?? null;
}

/** Every session of `person` ends, as a log-out elsewhere would end it. */
export async function endSessions(tally: TestTally, person: TestPerson): Promise<void> {
  await tally.database.db.execute(
    sql`UPDATE core_sessions SET revoked_at = now() WHERE user_id = ${person.userId}`,
  );
}

/** `person` stops being an administrator (another administrator took the rights away). */
export async function stopBeingAdmin(tally: TestTally, person: TestPerson): Promise<void> {
  await tally.database.db.execute(sql`UPDATE core_users SET is_admin = FALSE WHERE id = ${person.userId}`);
}

let products = 0;
/** A product with a name of its own (so a test can pick it in a list), made by `maker`. */
export async function namedProduct(
  tally: TestTally,
  maker: TestPerson,
  options: ProductOptions & { name?: string; price?: { amount_minor: string; currency: string } } = {},
) {
  return ok(tally, 201, 'POST', '/api/credits/products', {
    as: maker,
    body: {
      ...(options.type ? { type: options.type } : {}),
      name: options.name ?? `Plan ${++products}-${Date.now().toString(36)}`,
      credits_per_cycle: String(options.credits ?? 100),
      refill_cycle: options.refill ?? 'none',
      permissions: options.permissions ?? [],
      ...(options.price ? { display_price: options.price } : {}),
    },
  });
}

/** A generic product with the actions a customer needs in a workspace. */
export const workspaceActions = ['create_workspace', 'invite_member'];

/** A signed-in customer holding a new generic product of `credits` credits with `permissions`. */
export async function customer(
  tally: TestTally,
  admin: TestPerson,
  options: ProductOptions = {},
): Promise<{ person: TestPerson; productId: string }> {
  const product = await makeProduct(tally, admin, { type: 'generic', ...options });
  return { person: await customerOf(tally, admin, product.id), productId: product.id };
}

/** A signed-in whitelabel reseller whose product allows `permissions`, holding `credits` credits. */
export async function reseller(
  tally: TestTally,
  admin: TestPerson,
  options: { credits?: number; permissions?: string[] } = {},
): Promise<{ person: TestPerson; productId: string }> {
  const product = await makeProduct(tally, admin, {
    type: 'whitelabel',
    credits: options.credits ?? 100,
    permissions: options.permissions ?? ['create_under_whitelabel_product'],
  });
  return { person: await customerOf(tally, admin, product.id), productId: product.id };
}

let names = 0;
/** A workspace name no other open workspace has. */
export const freshName = (what = 'Studio') => `${what} ${++names}-${Date.now().toString(36)}`;

/** A workspace `person` makes (their products must allow create_workspace). */
export async function workspaceOf(tally: TestTally, person: TestPerson, name = freshName()) {
  return ok(tally, 201, 'POST', '/api/credits/workspaces', { as: person, body: { name } });
}

/** An administrator's adjustment of `person`'s credits (negative takes away). */
export async function adjust(tally: TestTally, admin: TestPerson, person: TestPerson, amount: number) {
  return ok(tally, 201, 'POST', '/api/credits/adjustments', {
    as: admin,
    body: { user_id: person.userId, amount: String(amount), reason: 'set the stage' },
  });
}

/** What the server says a person has now. */
export async function balanceOfUser(tally: TestTally, admin: TestPerson, person: TestPerson) {
  return (await ok(tally, 200, 'GET', `/api/credits/users/${person.userId}`, { as: admin })).balance as {
    total: string;
    used: string;
    reserved: string;
    available: string;
  };
}

/** The one row a query finds. */
export async function oneRow<T>(tally: TestTally, query: ReturnType<typeof sql>): Promise<T> {
  const rows = await queryRows<T>(tally.database.db, query);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

export { freshEmail };
