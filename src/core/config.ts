import path from 'node:path';
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const wholeNumber = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

/** Every environment variable Tally reads, validated once at start. */
export const configSchema = z
  .object({
    PORT: wholeNumber.pipe(z.number().max(65535)).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    TALLY_HOME: z.string().min(1).default('./.tally'),
    TALLY_DATA_DIR: z.string().min(1).optional(),
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_POOL_SIZE: wholeNumber.pipe(z.number().min(1).max(500)).default(20),
    ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    MAX_BODY_BYTES: wholeNumber.pipe(z.number().min(1024)).default(1024 * 1024),
    PUBLIC_URL: z.url().optional(),
    SMTP_URL: z
      .url()
      .refine((value) => /^smtps?:\/\//.test(value), 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Tally <no-reply@tally.localhost>'),
    MAILBOX_OPEN: booleanFromEnv.optional(),
    JOBS_ENABLED: booleanFromEnv.default(true),
    JOBS_POLL_MS: wholeNumber.pipe(z.number().min(10).max(60_000)).default(500),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    home: path.resolve(env.TALLY_HOME),
    dataDir: path.resolve(env.TALLY_DATA_DIR ?? path.join(env.TALLY_HOME, 'data')),
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    adminApiKey: env.ADMIN_API_KEY,
    logLevel: env.LOG_LEVEL,
    maxBodyBytes: env.MAX_BODY_BYTES,
    /** Where people reach this Tally: the base of links in mails. */
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    /** Without SMTP on a loopback-only server (a developer's machine) the Mailbox opens to anyone there. */
    mailboxOpen: env.MAILBOX_OPEN ?? (!env.SMTP_URL && LOOPBACK_HOSTS.has(env.HOST)),
    jobsEnabled: env.JOBS_ENABLED,
    jobsPollMs: env.JOBS_POLL_MS,
  }));

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from the environment; empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`),
    );
  }
  return parsed.data;
}
