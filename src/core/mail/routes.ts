import { createRoute, z } from '@hono/zod-openapi';
import type { Db } from '../database';
import { createRouter, downloadHeaders, ErrorSchema, errorResponses, jsonResponse } from '../http';
import { pageJson, pageQuery, pageSchema } from '../paging';
import { mailStates } from './schema';
import {
  getMailAttachment,
  getMailMessage,
  listMailbox,
  type MailMessage,
  type MailSummary,
} from './service';

/** The Mailbox under /api/mail: who may read what is decided in the service, from the request's actor. */

const tags = ['Mail'];

const MailSummarySchema = z
  .object({
    id: z.uuid(),
    to: z.string(),
    user_id: z.uuid().nullable(),
    subject: z.string(),
    template: z.string(),
    state: z.enum(mailStates),
    transport: z.enum(['smtp', 'mailbox']).nullable(),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    sent_at: z.string().nullable(),
  })
  .openapi('MailSummary');

const MailMessageSchema = MailSummarySchema.extend({
  text: z.string(),
  html: z.string().nullable().openapi({ description: 'render it sandboxed: it is the mail as sent' }),
  attachments: z.array(z.object({ name: z.string(), content_type: z.string(), size: z.number().int() })),
}).openapi('MailMessage');

const summaryJson = (m: MailSummary) => ({
  id: m.id,
  to: m.to,
  user_id: m.userId,
  subject: m.subject,
  template: m.template,
  state: m.state,
  transport: m.transport,
  attempts: m.attempts,
  last_error: m.lastError,
  created_at: m.createdAt.toISOString(),
  sent_at: m.sentAt?.toISOString() ?? null,
});

const messageJson = (m: MailMessage) => ({
  ...summaryJson(m),
  text: m.text,
  html: m.html,
  attachments: m.attachments.map((file) => ({
    name: file.name,
    content_type: file.contentType,
    size: file.size,
  })),
});

const forbidden = {
  403: {
    description: 'Not yours to read: with SMTP configured, only an administrator reads the Mailbox',
    content: { 'application/json': { schema: ErrorSchema } },
  },
} as const;

export interface MailRouteDeps {
  db: Db;
  /** Set when mail goes out by SMTP; the Mailbox is then an operator's record, not people's inbox. */
  smtpUrl?: string;
  /** The Mailbox opens to visitors who are not signed in (a developer's own machine). */
  mailboxOpen: boolean;
}

export function mailRoutes({ db, smtpUrl, mailboxOpen }: MailRouteDeps) {
  const router = createRouter();
  const deps = { db, mailboxEnabled: !smtpUrl, openToVisitors: !smtpUrl && mailboxOpen };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/status',
      access: { caller: 'anyone' },
      tags,
      summary: 'Whether mail is delivered to the built-in Mailbox (no SMTP server configured)',
      responses: {
        200: jsonResponse(
          z.object({ mailbox_enabled: z.boolean(), open_to_visitors: z.boolean() }),
          'How mail is delivered, and who may read the Mailbox',
        ),
        ...errorResponses,
      },
    }),
    (c) => c.json({ mailbox_enabled: deps.mailboxEnabled, open_to_visitors: deps.openToVisitors }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/messages',
      access: { caller: 'anyone' },
      tags,
      summary: 'Mail, newest first: all of it for an administrator, your own for anyone else',
      request: {
        query: z.object({
          to: z.string().min(3).max(320).optional(),
          ...pageQuery,
        }),
      },
      responses: {
        200: jsonResponse(pageSchema(MailSummarySchema), 'A page of mail'),
        ...errorResponses,
        ...forbidden,
      },
    }),
    async (c) => {
      const page = await listMailbox(deps, c.get('actor'), c.req.valid('query'));
      return c.json(pageJson(page, summaryJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/messages/{id}',
      access: { caller: 'anyone' },
      tags,
      summary: 'One message with its text and HTML',
      request: { params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 200: jsonResponse(MailMessageSchema, 'The message'), ...errorResponses, ...forbidden },
    }),
    async (c) =>
      c.json(messageJson(await getMailMessage(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/messages/{id}/attachments/{index}',
      access: { caller: 'anyone' },
      tags,
      summary: 'A file the message carries (its position among them, from 0), as a download',
      request: {
        params: z.object({
          id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
          index: z.coerce
            .number()
            .int()
            .min(0)
            .max(100)
            .openapi({ param: { name: 'index', in: 'path' } }),
        }),
      },
      responses: {
        200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string() } } },
        ...errorResponses,
        ...forbidden,
      },
    }),
    async (c) => {
      const { id, index } = c.req.valid('param');
      const file = await getMailAttachment(deps, c.get('actor'), id, index);
      return c.body(
        new Uint8Array(file.bytes),
        200,
        downloadHeaders(file.name, file.contentType, file.bytes.length),
      );
    },
  );

  return router;
}
