import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How Tally signs what it sends, in the style of Stripe's and Standard Webhooks' schemes:
 * `Tally-Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, keyed with the endpoint's
 * secret as it was shown (the whole `whsec_…` text, UTF-8). The timestamp (Unix seconds) is sent in
 * `Tally-Webhook-Timestamp` and signed with the body, so a receiver refusing old timestamps refuses
 * replays. While a rotated secret's predecessor still signs, the header carries one `v1=` per
 * secret, separated by commas: a receiver accepts the request when any of them matches.
 */

export const WEBHOOK_ID_HEADER = 'Tally-Webhook-Id';
export const WEBHOOK_TIMESTAMP_HEADER = 'Tally-Webhook-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'Tally-Webhook-Signature';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, prefixed so logs and scanners recognise it. */
export const newWebhookSecret = (): string => `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;

/** The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The signature header's value: one `v1=` for each secret that signs now, the newest first. */
export function webhookSignatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return secrets.map((secret) => `v1=${webhookSignature(secret, timestamp, body)}`).join(', ');
}

/**
 * Whether a request carries a valid signature of `body` under `secret`, made within `toleranceSeconds`
 * of `now`: what a receiver written in TypeScript checks, and what the tests check with.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  body: string;
  timestamp: string;
  signatureHeader: string;
  now: Date;
  toleranceSeconds?: number;
}): boolean {
  if (!/^\d{1,12}$/.test(input.timestamp)) return false;
  const timestamp = Number(input.timestamp);
  const age = Math.abs(Math.floor(input.now.getTime() / 1000) - timestamp);
  if (age > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(input.secret, timestamp, input.body), 'hex');
  return input.signatureHeader
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .some((part) => {
      const given = Buffer.from(part.slice(3), 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
