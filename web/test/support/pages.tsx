import { cleanup, configure, render, screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TEST_ADMIN_KEY, type TestPerson, type TestTally, testTally } from '../../../test/support/app';
import { startTestChain } from '../../../test/support/chain';
import { newQueryClient } from '../../src/api/queryClient';
import { AppProviders } from '../../src/app/App';
import { routes } from '../../src/app/routes';

/**
 * Pages of the web app rendered in jsdom and talking to a whole Tally (the real app, on a fresh
 * database) through the page's `fetch`: what a form sends is what the server receives, and every
 * error a form shows is one the server really gave. A cookie jar plays the browser's part.
 */

// A page waits on a whole Tally answering on its database; on a loaded machine (CI, two cores shared
// with PostgreSQL) that can take longer than Testing Library's default second. Waiting longer only
// slows a test that would fail anyway.
configure({ asyncUtilTimeout: 10_000 });

/** jsdom has no layout: what Mantine asks of a browser's, answered as a page with no media queries. */
function installLayoutApis() {
  Object.defineProperty(window, 'matchMedia', {
    configurable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }),
  });
  window.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  window.HTMLElement.prototype.scrollIntoView ??= () => {};
}

export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface TallyPages {
  tally: TestTally;
  /** Every request the pages sent since the last `render`, in order. */
  sent: SentRequest[];
  /** The session the page's requests carry: a person's, or none. */
  signIn(person: TestPerson | null): void;
  /** The host name the page is served from (a reseller's domain), or Tally's own when null. */
  onHost(host: string | null): void;
  /** The cookie the page holds now (a log-in sets it), or null. */
  cookie(): string | null;
  /** Renders the app at `path` and waits until who is signed in is known and the page's first loads have answered. */
  render(path: string): Promise<{ user: UserEvent; router: ReturnType<typeof createMemoryRouter> }>;
}

function bodyOf(bytes: ArrayBuffer | undefined): unknown {
  const text = bytes ? new TextDecoder().decode(bytes) : '';
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Call once per test file: a Tally for the file, the page's fetch pointed at it, a clean page after each test. */
export function tallyPages(
  options: { start?: string; mailboxOpen?: boolean; chain?: boolean } = {},
): TallyPages {
  let cookie: string | null = null;
  let host: string | null = null;
  const pages = {
    sent: [] as SentRequest[],
    signIn(person: TestPerson | null) {
      cookie = person?.cookie ?? null;
    },
    onHost(name: string | null) {
      host = name;
    },
    cookie: () => cookie,
  } as TallyPages;
  const originalFetch = globalThis.fetch;
  // Requests the page sent that Tally has not answered yet: a test that changes the server's state
  // (ends a session, say) must not race the page's first loads.
  let unanswered = 0;
  let lastAnsweredAt = 0;

  beforeAll(async () => {
    installLayoutApis();
    const { chain, ...settings } = options;
    // A chain of its own (anvil with the development tokens), for the pages that pay or mint.
    pages.tally = await testTally({ ...settings, chain: chain ? await startTestChain() : undefined });
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      // Only the page's own requests go to Tally: the server's calls to its chain go out as they would.
      if (url.origin !== window.location.origin) return originalFetch(input, init);
      const headers = new Headers(request.headers);
      if (cookie) headers.set('cookie', cookie);
      if (host) headers.set('host', host);
      const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
      pages.sent.push({ method: request.method, path: url.pathname + url.search, body: bodyOf(body) });
      unanswered += 1;
      const response = await Promise.resolve(
        pages.tally.http.request(url.pathname + url.search, { method: request.method, headers, body }),
      ).finally(() => {
        unanswered -= 1;
        lastAnsweredAt = Date.now();
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const cleared = /max-age=0/i.test(line) || /=;|=$/.test(pair);
        cookie = cleared ? null : pair;
      }
      return response;
    };
  });
  afterEach(() => {
    cleanup();
    pages.sent.length = 0;
    cookie = null;
    host = null;
    // What a form kept when a session ended belongs to its test, not to the next one's page.
    window.sessionStorage.clear();
  });
  afterAll(() => {
    globalThis.fetch = originalFetch;
  });

  pages.render = async (path: string) => {
    pages.sent.length = 0;
    const router = createMemoryRouter(routes, { initialEntries: [path] });
    render(
      <AppProviders client={newQueryClient()}>
        <RouterProvider router={router} />
      </AppProviders>,
    );
    await waitFor(() => {
      if (!pages.sent.some((request) => request.path === '/api/auth/me')) throw new Error('no session yet');
    });
    await waitFor(() => {
      expectNoLoading();
      // An answer starts the next load (the page after the session, a list after its filters): quiet for a moment.
      if (unanswered > 0 || Date.now() - lastAnsweredAt < 40) throw new Error('the page is still loading');
    });
    return { user: userEvent.setup(), router };
  };
  return pages;
}

function expectNoLoading() {
  if (screen.queryAllByText(/^Loading/).length > 0) throw new Error('still loading');
}

/** The operator's key, for setting the stage through the API as the CLI would. */
export const OPERATOR = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

/** A form's input by its label. */
export const field = (form: HTMLElement, label: RegExp) =>
  within(form).getByLabelText(label) as HTMLInputElement;

/** The message Mantine shows under a field (the element its aria-describedby names `…-error`), or null. */
export function fieldError(input: HTMLElement): string | null {
  for (const id of input.getAttribute('aria-describedby')?.split(/\s+/) ?? []) {
    if (id.endsWith('-error')) return document.getElementById(id)?.textContent ?? null;
  }
  return null;
}

/** The message a form shows above its button (its alert), or null. */
export function formAlert(form: HTMLElement): string | null {
  const alert = form.querySelector('[role="alert"]');
  return alert?.textContent ?? null;
}

/** The requests sent to `path` (method and path), so a test can say a form sent nothing. */
export const sentTo = (pages: TallyPages, method: string, path: string) =>
  pages.sent.filter((request) => request.method === method && request.path === path);
