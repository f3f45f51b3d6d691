import { lookup as systemLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress } from '../network';

/** What one POST to an endpoint came to. */
interface PostOutcome {
  /** The endpoint's status; null when no answer came. */
  statusCode: number | null;
  /** The start of the answer's body, as text. */
  excerpt: string | null;
  /** Why no answer came (or why it did not count), in words; null when one came. */
  error: string | null;
  durationMs: number;
}

/** How much of an endpoint's answer is kept: enough for a person to read what went wrong. */
const RESPONSE_EXCERPT_BYTES = 1024;

/**
 * Resolves like the system does, then refuses a host that resolves to a private address: checking
 * the URL when it was saved is not enough, since its name may point elsewhere by the time Tally
 * sends (DNS rebinding). The connection goes to the very address checked.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  systemLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused || addresses.length === 0) {
      const reason = `${hostname} resolves to ${refused?.address ?? 'no address'}, which Tally does not reach for others`;
      return callback(Object.assign(new Error(reason), { code: 'EPRIVATEADDRESS' }), '', 0);
    }
    if (options.all) return (callback as (e: null, a: typeof addresses) => void)(null, addresses);
    const [first] = addresses;
    callback(null, first!.address, first!.family);
  });
};

/**
 * POSTs `body` to `url` with `headers`, giving up after `timeoutMs` (connecting and answering
 * together). A redirect is an answer like any other non-2xx: following it would send the signed
 * event somewhere its owner did not name. Never throws: a failure is an outcome.
 */
export function postJson(input: {
  url: string;
  body: string;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  allowPrivate: boolean;
}): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (outcome: Omit<PostOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      settle({ statusCode: null, excerpt: null, error: 'the URL cannot be read' });
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // A literal address is never looked up, so it is checked here.
    if (!input.allowPrivate && isIP(host) && isPrivateAddress(host)) {
      settle({
        statusCode: null,
        excerpt: null,
        error: `${host} is an address Tally does not reach for others`,
      });
      return;
    }
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method: 'POST',
      headers: {
        ...input.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(input.body).toString(),
        'user-agent': 'Tally-Webhooks/1',
      },
      lookup: input.allowPrivate ? undefined : publicOnlyLookup,
      agent: false,
    });
    timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${input.timeoutMs / 1000} s`));
    }, input.timeoutMs);
    request.on('error', (error) => settle({ statusCode: null, excerpt: null, error: error.message }));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const finish = () => {
        const excerpt = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
        settle({ statusCode: response.statusCode ?? null, excerpt: excerpt || null, error: null });
        response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        kept += chunk.length;
        // The rest of a long answer is not read: what is kept is all that is shown.
        if (kept >= RESPONSE_EXCERPT_BYTES) finish();
      });
      response.on('end', finish);
      response.on('error', finish);
    });
    request.end(input.body);
  });
}
