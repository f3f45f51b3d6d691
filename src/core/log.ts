import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/**
 * No secret reaches a log line: values under a secret's name (password, token, secret, key,
 * authorization, cookie…) are replaced, and so is anything shaped like one wherever it appears — in
 * an error's message or stack, a failed query's parameters, a path: API keys (`tally_key_…`),
 * signing secrets (`whsec_…`), bearer credentials, 32-byte hex private keys, and the tokens of
 * mailed links (`?token=…`).
 */
const SECRET_NAME =
  /pass(word)?|secret|token|api[-_]?key|authorization|cookie|private[-_]?key|signature|credential/i;
const SECRET_SHAPES: [RegExp, string][] = [
  [/tally_key_[A-Za-z0-9_-]+/g, 'tally_key_[redacted]'],
  [/whsec_[A-Za-z0-9_-]+/g, 'whsec_[redacted]'],
  [/(Bearer\s+)\S+/gi, '$1[redacted]'],
  [/\b0x[0-9a-fA-F]{64}\b/g, '0x[redacted]'],
  [/([?&](token|key|secret)=)[^&\s"']+/gi, '$1[redacted]'],
  // Invitation links carry their token in the path.
  [/(\/invitations\/)[A-Za-z0-9_-]{16,}/g, '$1[redacted]'],
];
export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return SECRET_SHAPES.reduce((out, [shape, replacement]) => out.replace(shape, replacement), text);
}

/** A copy of a log record with every secret replaced; cycles and depth are bounded. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    // As pino's error serializer would show it, scrubbed: its own fields (a query's parameters) too.
    const { name, message, stack, ...own } = value as Error & Record<string, unknown>;
    return redactSecrets({ type: name, message, stack, ...own }, depth + 1, seen);
  }
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      SECRET_NAME.test(key) && (typeof item === 'string' || typeof item === 'number')
        ? REDACTED
        : redactSecrets(item, depth + 1, seen);
  }
  return out;
}

/**
 * Structured JSON logs on stdout; one logger per process, children carry request ids. Lines are
 * written in blocks, at most a second late and all of them at exit: one write per line would cost a
 * busy server a system call per request.
 */
export function createLogger(level: string = 'info', destination: DestinationStream = blockWriter()): Logger {
  return pino(
    {
      level,
      base: { service: 'tally' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors are shown (and scrubbed) by the record's formatter above; the serializer keeps that.
      serializers: { err: (error: unknown) => (error instanceof Error ? redactSecrets(error) : error) },
      formatters: { log: (record) => redactSecrets(record) as Record<string, unknown> },
    },
    destination,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });

function blockWriter(): DestinationStream {
  const stdout = pino.destination({ dest: 1, minLength: 4096, sync: false });
  setInterval(() => stdout.flush(), 1000).unref();
  process.once('exit', () => stdout.flushSync());
  return stdout;
}
