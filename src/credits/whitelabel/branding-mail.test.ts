import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPerson, type TestTally, testTally } from '../../../test/support/app';
import { buy, creditsAdmin, freshEmail, makeProduct, ok } from '../../../test/support/credits';
import { resellerWithDomain, type SettledDomainState } from '../../../test/support/whitelabel';
import { hashPassword } from '../../core/auth/passwords';
import { fromMailbox } from '../../core/mail/outbox';

/** A mail as a real SMTP server received it: its headers (unfolded, lower-case names) and body. */
interface ReceivedMail {
  to: string;
  headers: Map<string, string>;
  body: string;
}

const received: ReceivedMail[] = [];
let server: SMTPServer;
let tally: TestTally;
let admin: TestPerson;
let whitelabelProductId: string;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const split = raw.indexOf('\r\n\r\n');
        const headers = new Map<string, string>();
        for (const line of raw
          .slice(0, split)
          .replace(/\r\n[ \t]+/g, ' ')
          .split('\r\n')) {
          const colon = line.indexOf(':');
          headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
        // Quoted-printable soft line breaks joined, so a long link reads whole.
        const body = raw
          .slice(split + 4)
          .replace(/=\r\n/g, '')
          .replace(/=3D/g, '=');
        received.push({ to: session.envelope.rcptTo[0]?.address ?? '', headers, body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  tally = await testTally({ smtpUrl: `smtp://127.0.0.1:${port}` });
  admin = await creditsAdmin(tally);
  whitelabelProductId = (
    await makeProduct(tally, admin, {
      type: 'whitelabel',
      credits: 100,
      permissions: ['create_under_whitelabel_product'],
    })
  ).id;
});

afterAll(() => new Promise<void>((resolve) => server.close(resolve)));

/** A reseller with a domain in `status`, a brand name, and a product of its own to sell. */
async function brandedReseller(
  status: 'pending' | SettledDomainState,
  brandName: string,
): Promise<{ domain: string; productId: string }> {
  const { person: reseller, domain } = await resellerWithDomain(tally, admin, whitelabelProductId, {
    state: status,
  });
  await ok(tally, 200, 'PATCH', '/api/credits/whitelabel/branding', {
    as: reseller,
    body: { brand_name: brandName },
  });
  const product = await ok(tally, 201, 'POST', '/api/credits/products', {
    as: reseller,
    body: {
      type: 'under_whitelabel',
      name: 'Pro',
      credits_per_cycle: '10',
      refill_cycle: 'month',
      permissions: [],
    },
  });
  return { domain, productId: product.id };
}

/** A header as read: its RFC 2047 Q-encoded words (how nodemailer writes a subject with quotes) decoded. */
const decoded = (header: string | undefined) =>
  header?.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_, text: string) =>
    Buffer.from(
      text
        .replace(/_/g, ' ')
        .replace(/=([0-9A-F]{2})/gi, (__, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    ).toString('utf8'),
  );

/** Delivers what is queued and returns what reached `address`. */
async function mailTo(address: string): Promise<ReceivedMail[]> {
  await tally.jobs.runDue();
  return received.filter((mail) => mail.to === address);
}

describe('mail to a reseller’s customers', () => {
  it('comes from the brand at the reseller’s active domain, with links on that domain', async () => {
    const { domain, productId } = await brandedReseller('active', 'Acme "Best" Credits');
    const email = freshEmail();
    await buy(tally, admin, email, productId);

    const [details] = await mailTo(email);
    expect(details?.headers.get('from')).toBe(`"Acme \\"Best\\" Credits" <no-reply@${domain}>`);
    expect(decoded(details?.headers.get('subject'))).toBe('Your Acme "Best" Credits login details');
    expect(details?.body).toContain(
      `Finish setting up your account: https://${domain}/credits/welcome?email=${encodeURIComponent(email)}`,
    );
    expect(details?.body).not.toContain('tally.test');

    // Once they have a password, the next purchase's "credits added" comes the same way.
    await tally.database.db.execute(
      sql`UPDATE core_users SET password_hash = ${await hashPassword('a long passphrase')} WHERE email = ${email}`,
    );
    await buy(tally, admin, email, productId);
    const [, added] = await mailTo(email);
    expect(added?.headers.get('from')).toBe(`"Acme \\"Best\\" Credits" <no-reply@${domain}>`);
    expect(decoded(added?.headers.get('subject'))).toBe(
      'Pro: your credits are in your Acme "Best" Credits account',
    );
    expect(added?.body).toContain(`Open in Acme "Best" Credits: https://${domain}/credits`);
  });

  it('is Tally’s own while the reseller’s domain is not active', async () => {
    for (const status of ['pending', 'suspended'] as const) {
      const { domain, productId } = await brandedReseller(status, 'Not Yet');
      const email = freshEmail();
      await buy(tally, admin, email, productId);
      const [details] = await mailTo(email);
      expect(details?.headers.get('from'), status).toBe('Tally <no-reply@tally.test>');
      expect(details?.headers.get('subject')).toBe('Your Tally login details');
      expect(details?.body).toContain('http://tally.test/credits/welcome?email=');
      expect(details?.body).not.toContain(domain);
    }
  });
});

describe('a From in someone’s name', () => {
  it('keeps a display name on one line, its quotes and backslashes escaped', () => {
    expect(fromMailbox('Acme\r\nBcc: victim@example.com', 'no-reply@acme.example')).toBe(
      '"Acme Bcc: victim@example.com" <no-reply@acme.example>',
    );
    expect(fromMailbox('Say "hi" \\ bye', 'no-reply@acme.example')).toBe(
      '"Say \\"hi\\" \\\\ bye" <no-reply@acme.example>',
    );
    expect(fromMailbox(' \n ', 'no-reply@acme.example')).toBe('no-reply@acme.example');
    expect(() => fromMailbox('Acme', 'x@y>\r\nBcc: z@w')).toThrow(/not a sender address/);
  });
});
