import createClient from 'openapi-fetch';
import { reportSignInRefused } from '../session/sessionEnded';
import { apiErrorFromResponse, isSignInRefusal, networkError } from './errors';
import type { paths } from './schema';

/**
 * Typed calls to Tally's API, same origin, with the session cookie. `X-Requested-With` tells the
 * server a call comes from this script and not from a form another site made the browser post.
 */
export const api = createClient<paths>({
  baseUrl: window.location.origin,
  // Looked up at each call, not when the page loads, so whatever fetch the page has then is used.
  fetch: (request) => globalThis.fetch(request),
  credentials: 'include',
  headers: { 'x-requested-with': 'tally-web' },
});

// Every call, whoever makes it, tells the session when the server wanted a signed-in person: a
// session that ends mid-form leads to the log-in and back from one place, not from each page.
api.use({
  async onResponse({ response }) {
    if (response.status !== 401) return undefined;
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => null);
    if (isSignInRefusal(response.status, body)) reportSignInRefused();
    return undefined;
  },
});

type ApiResult<Data> =
  | { data: Data; error?: never; response: Response }
  | { data?: never; error: unknown; response: Response };

/**
 * openapi-fetch types `data` as possibly undefined; a successful answer with a JSON body always has
 * one, and an answer with no body (204) is typed as nothing.
 */
type Present<Data> = [Data] extends [undefined] ? undefined : Exclude<Data, undefined>;

/** Waits for a call and returns its data, or throws an `ApiError` with the server's code and message. */
export async function call<Data>(request: Promise<ApiResult<Data>>): Promise<Present<Data>> {
  let result: ApiResult<Data>;
  try {
    result = await request;
  } catch {
    throw networkError();
  }
  if (result.error !== undefined || !result.response.ok) {
    throw apiErrorFromResponse(result.response, result.error);
  }
  return result.data as Present<Data>;
}
