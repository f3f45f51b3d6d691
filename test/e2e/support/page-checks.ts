/// <reference lib="dom" />
// The functions given to evaluate() run in the page, where the DOM's types apply.
import type { Locator, Page } from 'playwright-core';

/** The input labelled `label`; Mantine adds " *" (hidden from screen readers) to required fields' labels. */
export function field(page: Page, label: string): Locator {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}( \\*)?$`));
}

/** Whether any part of the element is inside the viewport (an off-canvas drawer is not). */
export function isOnScreen(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.right > 0 && box.bottom > 0 && box.left < window.innerWidth && box.top < window.innerHeight;
  });
}

/** Waits until the element matching `selector` has slid fully into view (`true`) or fully out of it. */
export async function waitForSlide(page: Page, selector: string, intoView: boolean): Promise<void> {
  await page.waitForFunction(
    ({ selector, intoView }) => {
      const box = document.querySelector(selector)?.getBoundingClientRect();
      if (!box) return false;
      return intoView ? box.left === 0 : box.right <= 0;
    },
    { selector, intoView },
  );
}

/** Whether the element is inert: out of the Tab order and of what assistive technology reads. */
export function isInert(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element.closest('[inert]') !== null);
}

/**
 * The error a form shows for the field labelled `label`, read the way assistive technology reads
 * it: the input is marked invalid, and among the elements describing it is its error (Mantine gives
 * it the input's id with "-error"), rendered beside the field.
 */
export async function fieldError(page: Page, label: string): Promise<string | null> {
  const input = field(page, label);
  if ((await input.getAttribute('aria-invalid')) !== 'true') return null;
  const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
  const errorId = describedBy.split(/\s+/).find((id) => id.endsWith('-error'));
  return errorId ? page.locator(`[id="${errorId}"]`).textContent() : null;
}

/** What has keyboard focus: its role-ish tag and its visible text. */
export function focused(page: Page): Promise<{ tag: string; text: string; href: string | null }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return {
      tag: element?.tagName.toLowerCase() ?? '',
      text: element?.textContent?.trim() ?? '',
      href: element?.getAttribute('href') ?? null,
    };
  });
}

/** Presses Tab until the focused element's text is `text`; fails after `limit` presses. */
export async function tabTo(page: Page, text: string, limit = 30): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    if ((await focused(page)).text === text) return;
  }
  throw new Error(`"${text}" was not reached with ${limit} presses of Tab`);
}
