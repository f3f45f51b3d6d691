import nodemailer from 'nodemailer';

/** Where a delivered message went: out over SMTP, or into the built-in Mailbox (it never leaves the machine). */
export type TransportName = 'smtp' | 'mailbox';

export interface OutgoingMail {
  /** The message row's id; it becomes the Message-ID header. */
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  attachments: readonly { filename: string; contentType: string; content: Buffer }[];
}

export interface MailTransport {
  readonly name: TransportName;
  /** Resolves once the receiving server has accepted the message; throws when it has not. */
  deliver(mail: OutgoingMail): Promise<void>;
}

/**
 * Every attempt at one message carries the same Message-ID (RFC 5322 §3.6.4), so a resend after a crash
 * between the server's acceptance and our commit is recognisably the same mail to whoever receives it.
 */
export const messageIdHeader = (id: string): string => `<${id}@tally>`;

/**
 * Well under the job lease (five minutes): a send that hangs fails before another worker may take the
 * job over, which is what keeps a slow server from getting the message twice.
 */
const SMTP_TIMEOUTS_MS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS_MS });
  return {
    name: 'smtp',
    async deliver(mail) {
      await transporter.sendMail({
        messageId: messageIdHeader(mail.id),
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html === null ? {} : { html: mail.html }),
        ...(mail.attachments.length === 0 ? {} : { attachments: [...mail.attachments] }),
      });
    },
  };
}

/** Without SMTP the message row itself is the delivered mail, read in the Mailbox: nothing to send. */
export const mailboxTransport: MailTransport = { name: 'mailbox', deliver: async () => {} };

export const mailTransportFor = (smtpUrl: string | undefined): MailTransport =>
  smtpUrl ? smtpTransport(smtpUrl) : mailboxTransport;

/**
 * A 5xx reply to the envelope or the message (RFC 5321 §4.2.1) will be the same on every retry: the
 * address does not exist, the message is refused. Anything else (the server is down, busy, a 4xx, a
 * failed login the operator may fix) is worth another attempt.
 */
export function isPermanentRefusal(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  return (
    (code === 'EENVELOPE' || code === 'EMESSAGE') &&
    typeof responseCode === 'number' &&
    responseCode >= 500 &&
    responseCode < 600
  );
}
