import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); .ci/run installs it when missing. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const screenshotsDir = path.resolve('test/e2e/screenshots');

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export type ViewportName = keyof typeof viewports;

export interface Browser {
  /** A new tab at a viewport's size; errors thrown in the page are collected in `pageErrors`. */
  open(viewport: ViewportName): Promise<Page>;
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Chromium with a fresh profile of its own, so no cookie or storage carries over between runs. The
 * host names of `loopbackHosts` (a reseller's domain) reach this machine, as DNS would send them to
 * the Tally that serves them.
 */
export async function launchBrowser({
  loopbackHosts = [],
}: {
  loopbackHosts?: string[];
} = {}): Promise<Browser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-e2e-chromium-'));
  const hostRules = loopbackHosts.map((host) => `MAP ${host} 127.0.0.1`).join(',');
  const context: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: hostRules ? [...CHROMIUM_ARGS, `--host-resolver-rules=${hostRules}`] : CHROMIUM_ARGS,
    headless: true,
    viewport: viewports.desktop,
    // The app drops its transitions for people who ask for less motion, so screenshots never catch one halfway.
    reducedMotion: 'reduce',
  });
  const pageErrors: string[] = [];
  return {
    pageErrors,
    async open(viewport) {
      const page = await context.newPage();
      await page.setViewportSize(viewports[viewport]);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Saves what the page shows now as `<journey>/<nn>-<step>.png`, numbered in the order taken: the
 * whole page, or only the viewport where keyboard focus must survive (a full-page capture resizes
 * the window, which can take focus away).
 */
export function screenshotTaker(
  journey: string,
  /** Runs after each screenshot, on the page as photographed (an accessibility check). */
  after?: (page: Page, step: string) => Promise<void>,
) {
  const folder = path.join(screenshotsDir, journey);
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  let taken = 0;
  return async (
    page: Page,
    step: string,
    { fullPage = true }: { fullPage?: boolean } = {},
  ): Promise<void> => {
    taken += 1;
    const file = path.join(folder, `${String(taken).padStart(2, '0')}-${step}.png`);
    // A full-page capture of a scrolled page draws the fixed header mid-page; start from the top.
    if (fullPage) await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: file, fullPage });
    await after?.(page, step);
  };
}
