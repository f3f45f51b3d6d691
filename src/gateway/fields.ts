import { z } from '@hono/zod-openapi';
import { Amount } from '../core/amounts';
import { oneLine } from '../core/http';

/** The gateway API's shapes: zod schemas (requests are strict objects) and the JSON of each record. */

export const Uuid = z.uuid();

/** USDC micro-units (6 decimals), as the core's amounts are. */
export const Usdc = Amount.openapi({
  example: '2500',
  description: 'USDC micro-units (6 decimals), as a decimal string',
});

export const Name = oneLine(z.string().trim().min(1).max(100));

/** The path segment of `/mcp/<slug>`. */
export const Slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,62}$/,
    'lower-case letters, digits and -, 2 to 63 characters, not starting with -',
  )
  .openapi({ example: 'weather-tools' });

/** An http(s) URL; the upstream's endpoint or its usage report. */
export const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2000)
  .openapi({ example: 'https://mcp.example.com/mcp' });

/** A header name Tally may send upstream: a token of RFC 9110, not one HTTP or MCP itself sets. */
export const HeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'must be an HTTP header name')
  .refine(
    (name) =>
      ![
        'host',
        'content-type',
        'content-length',
        'accept',
        'mcp-session-id',
        'mcp-protocol-version',
        'connection',
        'transfer-encoding',
      ].includes(name.toLowerCase()),
    'HTTP and MCP set this header themselves',
  )
  .openapi({ example: 'Authorization' });

export const HeaderValue = z
  .string()
  .min(1)
  .max(4000)
  .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'must be a header value: printable characters, one line');

export const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;
