import fs from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import swaggerUi from 'swagger-ui-dist';
import type { Actor } from './actor';
import { SESSION_COOKIE } from './auth/middleware';
import {
  AppError,
  type ErrorBody,
  type ErrorCatalog,
  type ErrorCode,
  type ErrorDefinitions,
  type ErrorStatus,
  errorStatus,
} from './errors';
import type { Logger } from './log';
import { bodyWasRead, readRequestBody } from './request-body';
import {
  ACCESS_EXTENSION,
  accessDocumentation,
  documentedAccess,
  enforceAccess,
  type RouteAccess,
} from './route-access';
import type { Tenant, TenantDirectory } from './tenants';

/**
 * The HTTP shell every product line plugs into: request ids and logs, body limits, the one JSON
 * error shape for every failure (bad JSON, wrong types, unknown fields, oversized bodies, domain
 * errors), the OpenAPI document and its browsable reference.
 */

export type Env = {
  Variables: {
    requestId: string;
    log: Logger;
    actor: Actor;
    /** The tenant whose domain the request came to (src/core/tenants.ts), or null on Tally's own host. */
    tenant?: Tenant | null;
    /** Who decides which people belong on a tenant's host; null when no line has tenants. */
    tenants?: TenantDirectory | null;
    /** A JSON body, parsed once for the middlewares that look at it before the route does. */
    json?: { value: unknown };
  };
};

/**
 * A router whose validation failures use the one error shape; every product line builds its routes on
 * one. Every route it takes declares `access` (`core/route-access.ts`): the router refuses a route
 * without it, enforces it before the route's validation and handler, and shows it in the document.
 */
export function createRouter(): OpenAPIHono<Env> {
  const router = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issues = result.error.issues.map((issue) => ({
          path: issue.path.join('.'),
          message: issue.message,
          code: issue.code,
        }));
        const first = issues[0];
        const body: ErrorBody = {
          error: {
            code: 'validation_failed',
            message: first ? `${first.path || 'request'}: ${first.message}` : 'request is not valid',
            details: { target: result.target, issues },
          },
        };
        return c.json(body, 400);
      }
    },
  });
  const register = router.openapi;
  router.openapi = ((route: Parameters<typeof register>[0] & { access?: RouteAccess }, ...rest) => {
    const { access, ...config } = route;
    if (!access) throw new Error(`${config.method.toUpperCase()} ${config.path} declares no access`);
    const { security, sentence } = accessDocumentation(access);
    const routeMiddleware = config.middleware === undefined ? [] : [config.middleware].flat();
    return register(
      {
        ...config,
        security,
        description: config.description ? `${config.description}\n\n${sentence}` : sentence,
        [ACCESS_EXTENSION]: documentedAccess(access),
        middleware: [enforceAccess(access), ...routeMiddleware],
      } as typeof config,
      ...rest,
    );
  }) as typeof register;
  return router;
}

/** The `{id}` of a route's path: a record's uuid. */
export const PathId = z.uuid().openapi({ param: { name: 'id', in: 'path' } });

/** Text people type for a name: one line, no control characters (it lands in mail subjects and headers). */
export const oneLine = <T extends z.ZodString>(schema: T) =>
  schema.regex(/^[^\p{Cc}\u2028\u2029]*$/u, 'must be one line, without control characters');

/** The JSON body of a request: required, so a missing or non-JSON body is refused, not skipped. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    body: {
      required: true,
      description,
      content: { 'application/json': { schema } },
    },
  } as const;
}

/**
 * A JSON body read from its raw bytes and checked against `schema`, for routes that verify a
 * signature over those bytes before parsing (and so take no validator): `malformed_json` or
 * `validation_failed` with the issues, as a validated body would answer.
 */
export function parseRawJson<T extends z.ZodType>(schema: T, raw: Uint8Array | string): z.infer<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw),
    );
  } catch {
    throw new AppError('malformed_json', 'the body is not valid JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    throw new AppError('validation_failed', `${issues[0]?.path || 'body'}: ${issues[0]?.message}`, {
      issues,
    });
  }
  return result.data;
}

/** A documented JSON response of a route. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** The documented error response, referenced by every route. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

const errorContent = { 'application/json': { schema: ErrorSchema } };

export const errorResponses = {
  400: { description: 'Bad input', content: errorContent },
  401: { description: 'Missing or wrong credentials', content: errorContent },
  403: { description: 'Not allowed', content: errorContent },
  404: { description: 'Not found', content: errorContent },
  409: { description: 'Conflict', content: errorContent },
  422: { description: 'Refused by a domain rule', content: errorContent },
  429: { description: 'Too many requests; see Retry-After', content: errorContent },
} as const;

/**
 * The refusals a route may answer beyond the usual ones, by status: each response lists its codes,
 * and its schema's `code` is their enum, so a typed client can switch on them.
 */
export function refusals<T extends ErrorDefinitions>(
  catalog: Pick<ErrorCatalog<T>, 'definitions'>,
  codes: readonly (keyof T & string)[],
) {
  const byStatus = new Map<ErrorStatus, string[]>();
  for (const code of codes) {
    const { status } = catalog.definitions[code]!;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, { description: string; content: typeof errorContent }> = {};
  for (const [status, declared] of byStatus) {
    const core = (Object.keys(errorStatus) as ErrorCode[]).filter((code) => errorStatus[code] === status);
    const all = [...declared, ...core] as [string, ...string[]];
    responses[status] = {
      description: declared
        .map((code) => `\`${code}\`: ${catalog.definitions[code]!.description}`)
        .join('; '),
      content: {
        'application/json': {
          schema: z.object({
            error: z.object({ code: z.enum(all), message: z.string(), details: z.unknown().optional() }),
          }),
        },
      },
    } as never;
  }
  return responses;
}

export function errorResponse(c: Context, error: AppError): Response {
  const retryAfter = (error.details as { retry_after_seconds?: unknown } | undefined)?.retry_after_seconds;
  if (error.code === 'rate_limited' && typeof retryAfter === 'number')
    c.header('Retry-After', String(retryAfter));
  return c.json(error.toBody(), error.status);
}

const statusCodes: Partial<Record<number, ErrorCode>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

export interface HttpAppOptions {
  log: Logger;
  maxBodyBytes: number;
  /** The larger limit of the file upload route (POST /api/files). */
  maxUploadBytes: number;
  checkHealth: () => Promise<void>;
}

export function createHttpApp({
  log,
  maxBodyBytes,
  maxUploadBytes,
  checkHealth,
}: HttpAppOptions): OpenAPIHono<Env> {
  const app = createRouter();

  app.use('*', requestId());
  // An answer given before the request's body was read (a 401, a 404, a 413) leaves that body on the
  // socket: the next request on the connection would be read from the middle of it. Such an answer
  // closes the connection, and says so.
  app.use('*', async (c, next) => {
    await next();
    const hasBody =
      c.req.header('content-length') !== undefined || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && !bodyWasRead(c) && c.req.header('content-length') !== '0') c.header('Connection', 'close');
  });
  app.use('*', async (c, next) => {
    const requestLog = log.child({ reqId: c.get('requestId') });
    c.set('log', requestLog);
    const started = performance.now();
    await next();
    requestLog.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });
  app.use(
    '/api/*',
    readRequestBody(
      (c) => (c.req.method === 'POST' && c.req.path === '/api/files' ? maxUploadBytes : maxBodyBytes),
      (c, maxSize) =>
        errorResponse(c, new AppError('payload_too_large', `request body is larger than ${maxSize} bytes`)),
    ),
  );

  app.use('/api/*', refuseUnstorableText);

  app.onError((error, c) => {
    if (error instanceof AppError) return errorResponse(c, error);
    if (error instanceof HTTPException) {
      if (error.status === 400 && /json/i.test(error.message)) {
        return errorResponse(c, new AppError('malformed_json', 'request body is not valid JSON'));
      }
      const code = statusCodes[error.status] ?? 'bad_request';
      return c.json({ error: { code, message: error.message } } satisfies ErrorBody, error.status);
    }
    (c.get('log') ?? log).error({ err: error }, 'unhandled error');
    return errorResponse(c, new AppError('internal', 'something went wrong on our side'));
  });
  app.notFound((c) =>
    errorResponse(c, new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`)),
  );

  app.get('/healthz', async (c) => {
    try {
      await checkHealth();
      return c.json({ status: 'ok', database: 'ok' });
    } catch (error) {
      (c.get('log') ?? log).error({ err: error }, 'health check failed');
      return c.json({ status: 'unavailable', database: 'unreachable' }, 503);
    }
  });

  return app;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first text in a value that PostgreSQL cannot store as sent: a NUL character (refused in `text`)
 * or a lone surrogate (not Unicode; it would come back as U+FFFD). Returns its path, or null.
 */
export function findUnstorableText(
  value: unknown,
  path: string[] = [],
): { path: string; problem: string } | null {
  const check = (text: string, at: string[]) => {
    if (text.includes('\u0000')) return { path: at.join('.'), problem: 'must not contain a NUL character' };
    if (LONE_SURROGATE.test(text))
      return { path: at.join('.'), problem: 'must be well-formed Unicode (a lone surrogate)' };
    return null;
  };
  if (typeof value === 'string') return check(value, path);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorableText(item, [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = check(key, [...path, key]) ?? findUnstorableText(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * One place for every route: query values and JSON bodies holding text the database would refuse or
 * change are a 400 naming the field, before any route reads them.
 */
const refuseUnstorableText: MiddlewareHandler<Env> = async (c, next) => {
  const refuse = (found: { path: string; problem: string }, target: string) =>
    errorResponse(
      c,
      new AppError('validation_failed', `${found.path || 'request'}: ${found.problem}`, {
        target,
        field: found.path,
        issues: [{ path: found.path, message: found.problem, code: 'invalid_string' }],
      }),
    );
  const inQuery = findUnstorableText(c.req.queries());
  if (inQuery) return refuse({ ...inQuery, path: inQuery.path.replace(/\.\d+$/, '') }, 'query');
  if (/json/i.test(c.req.header('content-type') ?? '') && c.req.method !== 'GET') {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return next(); // Not JSON: the route's own validation answers malformed_json.
    }
    const inBody = findUnstorableText(body);
    if (inBody) return refuse(inBody, 'json');
    c.set('json', { value: body });
  }
  return next();
};

/**
 * Serves the OpenAPI document and a local Swagger UI, so the reference works with no network.
 * `errorCodes` is every code a client may meet (the core's and the lines'), listed once as the
 * `ErrorCode` schema.
 */
export function mountApiReference(app: OpenAPIHono<Env>, errorCodes: ReadonlyMap<string, string>): void {
  app.openAPIRegistry.register(
    'ErrorCode',
    z.enum([...errorCodes.keys()] as [string, ...string[]]).openapi({
      description: [...errorCodes].map(([code, description]) => `- \`${code}\`: ${description}`).join('\n'),
    }),
  );
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator API key (ADMIN_API_KEY)',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A person’s API key (`tally_key_…`), made in the web app; it may call a route only with the scope the route names',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The session cookie of a signed-in browser',
  });
  const config = {
    openapi: '3.1.0',
    info: {
      title: 'Tally API',
      version: '0.1.0',
      description:
        "Amounts are decimal strings of an asset's minor units; errors share one JSON shape. Every POST, PUT, " +
        'PATCH and DELETE takes an Idempotency-Key (Stripe’s semantics): a repeat answers the first response ' +
        'again with Idempotent-Replayed: true. Signed in with the session cookie (a browser), a change must ' +
        'carry a JSON body or the X-Requested-With header, which a form on another site cannot send.',
    },
  };
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get('/api/openapi.json', (c) => {
    // Built on the first request, when every route is mounted; the routes do not change after.
    document ??= withIdempotencyKeys(app.getOpenAPI31Document(config));
    return c.json(document);
  });
  const assets = swaggerUi.getAbsoluteFSPath();
  const served = new Map([
    ['swagger-ui.css', 'text/css'],
    ['swagger-ui-bundle.js', 'text/javascript'],
    ['favicon-32x32.png', 'image/png'],
  ]);
  app.get('/docs', (c) =>
    c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tally API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"><link rel="icon" href="/docs/assets/favicon-32x32.png"></head>
<body><div id="reference"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#reference', deepLinking: true });</script>
</body></html>`),
  );
  app.get('/docs/assets/:file', (c) => {
    const file = c.req.param('file');
    const type = served.get(file);
    if (!type) return errorResponse(c, new AppError('not_found', `no asset ${file}`));
    return c.body(fs.readFileSync(path.join(assets, file)), 200, {
      'content-type': type,
      'cache-control': 'public, max-age=86400',
    });
  });
}

const IdempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key with the same request answers the first response again (with ' +
    'Idempotent-Replayed: true); with another request, or while the first still runs, 409. Kept a day.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
} as const;

/**
 * Every mutation goes through the idempotency middleware (src/core/idempotency.ts), so the document
 * says so on each, in this one place, beside any header a route declares itself.
 */
function withIdempotencyKeys<D extends { paths?: object }>(document: D): D {
  for (const operations of Object.values(document.paths ?? {}) as Record<string, unknown>[]) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!['post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = operation as { parameters?: { name: string; in: string }[] };
      const declared = (op.parameters ?? []).some(
        (p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key',
      );
      if (!declared) op.parameters = [...(op.parameters ?? []), IdempotencyKeyParameter];
    }
  }
  return document;
}

/**
 * What Node answers itself, before any route runs (a URL or headers over its 16 KB limit, a request
 * it cannot parse), in the one JSON error shape, closing the connection.
 */
export function answerClientErrors(server: {
  on(event: 'clientError', listener: (error: Error & { code?: string }, socket: Duplex) => void): unknown;
}): void {
  server.on('clientError', (error, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      error: tooLarge
        ? { code: 'request_too_large', message: 'the request line and headers are over 16 KB' }
        : { code: 'bad_request', message: 'the request could not be read as HTTP' },
    } satisfies ErrorBody);
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/** The headers of a file served as a download that no browser renders as a page of ours, whatever its bytes hold. */
export function downloadHeaders(name: string, contentType: string, size: number): Record<string, string> {
  return {
    'content-type': contentType,
    'content-length': String(size),
    'content-disposition': `attachment; filename="${name.replace(/[^\w. -]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, no-store',
  };
}
