import { type Logger, pino } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout; one logger per process, children carry request ids. */
export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { service: 'tally' }, timestamp: pino.stdTimeFunctions.isoTime });
}

export const silentLogger: Logger = pino({ level: 'silent' });
