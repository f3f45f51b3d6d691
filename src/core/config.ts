import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const wholeNumber = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address');

const httpUrl = z.url().refine((value) => /^https?:\/\//.test(value), 'must be an http:// or https:// URL');

/** Superfluid's CFA forwarder has one address on nearly every chain it supports; these are the exceptions. */
const SUPERFLUID_CFA_FORWARDER = '0xcfA132E353cB4E398080B9700609bb008eceB125';
const SUPERFLUID_CFA_FORWARDER_ON: Record<number, string> = {
  43113: '0x2CDd45c5182602a36d391F7F16DD9f8386C3bD8D', // Avalanche Fuji
};

/**
 * One DNS server as `node:dns` takes it: an IP address, with a port after a colon (an IPv6 address in
 * brackets then), since a resolver cannot look up the name of the server it asks.
 */
const DNS_SERVER =
  /^(?:(?<v4>\d{1,3}(?:\.\d{1,3}){3})(?::(?<v4port>\d{1,5}))?|(?<v6>[0-9a-fA-F:.]+)|\[(?<v6b>[0-9a-fA-F:.]+)\](?::(?<v6port>\d{1,5}))?)$/;

function isDnsServer(entry: string): boolean {
  const parts = DNS_SERVER.exec(entry)?.groups;
  if (!parts) return false;
  const host = parts.v4 ?? parts.v6 ?? parts.v6b ?? '';
  const port = parts.v4port ?? parts.v6port;
  const family = parts.v4 ? 4 : 6;
  return isIP(host) === family && (port === undefined || (Number(port) >= 1 && Number(port) <= 65535));
}

const dnsServers = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
  )
  .refine(
    (servers) => servers.every(isDnsServer),
    'must be IP addresses, each with an optional port, separated by commas (127.0.0.1:5353,[::1]:53)',
  );

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
    TALLY_SECRET_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43,}$/, 'must be at least 32 random bytes in base64url (43 characters or more)')
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    MAX_BODY_BYTES: wholeNumber.pipe(z.number().min(1024)).default(1024 * 1024),
    MAX_UPLOAD_BYTES: wholeNumber.pipe(z.number().min(1024)).default(10 * 1024 * 1024),
    TALLY_FILES_DIR: z.string().min(1).optional(),
    PUBLIC_URL: z.url().optional(),
    SMTP_URL: z
      .url()
      .refine((value) => /^smtps?:\/\//.test(value), 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Tally <no-reply@tally.localhost>'),
    MAILBOX_OPEN: booleanFromEnv.optional(),
    ALLOW_PRIVATE_NETWORK: booleanFromEnv.optional(),
    DNS_SERVERS: dnsServers.optional(),
    JOBS_ENABLED: booleanFromEnv.default(true),
    JOBS_POLL_MS: wholeNumber.pipe(z.number().min(10).max(60_000)).default(500),
    CHAIN_RPC_URL: httpUrl.optional(),
    CHAIN_ID: wholeNumber.pipe(z.number().min(1)).optional(),
    CHAIN_NAME: z.string().min(1).optional(),
    CHAIN_NATIVE_SYMBOL: z.string().min(1).max(12).optional(),
    CHAIN_CONFIRMATIONS: wholeNumber.pipe(z.number().max(1000)).optional(),
    CHAIN_POLL_MS: wholeNumber.pipe(z.number().min(10).max(600_000)).optional(),
    CHAIN_START_BLOCK: wholeNumber.optional(),
    CHAIN_MAX_GAS_LIMIT: wholeNumber.pipe(z.number().min(21_000).max(100_000_000)).default(3_000_000),
    CHAIN_MAX_FEE_GWEI: wholeNumber.pipe(z.number().min(1).max(1_000_000)).default(500),
    CHAIN_LOG_RANGE: wholeNumber.pipe(z.number().min(1).max(1_000_000)).default(2_000),
    CHAIN_HEAD_MARGIN: wholeNumber.pipe(z.number().max(1_000)).optional(),
    TREASURY_PRIVATE_KEY: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
      .optional(),
    USDC_ADDRESS: address.optional(),
    DAI_ADDRESS: address.optional(),
    USDCX_ADDRESS: address.optional(),
    DAIX_ADDRESS: address.optional(),
    SUPERFLUID_HOST_ADDRESS: address.optional(),
    SUPERFLUID_CFA_FORWARDER_ADDRESS: address.optional(),
    ENCRYPTED_CREDITS_ADDRESS: address.optional(),
  })
  .superRefine((env, context) => {
    const problem = (path: string, message: string) =>
      context.addIssue({ code: 'custom', path: [path], message });
    if (env.CHAIN_RPC_URL) {
      if (env.CHAIN_ID === undefined) problem('CHAIN_ID', 'is required with CHAIN_RPC_URL');
      if (!env.TREASURY_PRIVATE_KEY) problem('TREASURY_PRIVATE_KEY', 'is required with CHAIN_RPC_URL');
      if (!env.USDC_ADDRESS) problem('USDC_ADDRESS', 'is required with CHAIN_RPC_URL');
      return;
    }
    // The embedded chain deploys its own contracts and keys: settings meant for another chain are a mistake.
    for (const name of [
      'CHAIN_ID',
      'TREASURY_PRIVATE_KEY',
      'USDC_ADDRESS',
      'DAI_ADDRESS',
      'USDCX_ADDRESS',
      'DAIX_ADDRESS',
      'SUPERFLUID_HOST_ADDRESS',
      'SUPERFLUID_CFA_FORWARDER_ADDRESS',
      'ENCRYPTED_CREDITS_ADDRESS',
      'CHAIN_START_BLOCK',
    ] as const) {
      if (env[name] !== undefined)
        problem(name, 'is only used with CHAIN_RPC_URL (without it Tally runs its own chain)');
    }
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    home: path.resolve(env.TALLY_HOME),
    dataDir: path.resolve(env.TALLY_DATA_DIR ?? path.join(env.TALLY_HOME, 'data')),
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    adminApiKey: env.ADMIN_API_KEY,
    /** The installation secret every key derives from; generated into TALLY_HOME when not set. */
    secretKey: env.TALLY_SECRET_KEY,
    logLevel: env.LOG_LEVEL,
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    /** Where uploaded files are kept. */
    filesDir: path.resolve(env.TALLY_FILES_DIR ?? path.join(env.TALLY_HOME, 'files')),
    /** Where people reach this Tally: the base of links in mails. */
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    /**
     * Without SMTP on a loopback-only server reached at a loopback address (a developer's machine)
     * the Mailbox opens to anyone there; behind a proxy with a public PUBLIC_URL it does not.
     */
    mailboxOpen:
      env.MAILBOX_OPEN ??
      (!env.SMTP_URL &&
        LOOPBACK_HOSTS.has(env.HOST) &&
        (env.PUBLIC_URL === undefined ||
          LOOPBACK_HOSTS.has(new URL(env.PUBLIC_URL).hostname.replace(/^\[|\]$/g, '')))),
    /**
     * Whether Tally may reach loopback and private addresses for others (an MCP upstream, a usage
     * report): on a developer's machine (a loopback server reached at a loopback address) it must,
     * elsewhere it must not, unless told.
     */
    allowPrivateNetwork:
      env.ALLOW_PRIVATE_NETWORK ??
      (LOOPBACK_HOSTS.has(env.HOST) &&
        (env.PUBLIC_URL === undefined ||
          LOOPBACK_HOSTS.has(new URL(env.PUBLIC_URL).hostname.replace(/^\[|\]$/g, '')))),
    /** The DNS servers whitelabel domains are looked up on; the system's when none are given. */
    dnsServers: env.DNS_SERVERS ?? [],
    jobsEnabled: env.JOBS_ENABLED,
    jobsPollMs: env.JOBS_POLL_MS,
    chain: chainSettings(env),
  }));

type ChainEnv = {
  TALLY_HOME: string;
  CHAIN_RPC_URL?: string;
  CHAIN_ID?: number;
  CHAIN_NAME?: string;
  CHAIN_NATIVE_SYMBOL?: string;
  CHAIN_CONFIRMATIONS?: number;
  CHAIN_POLL_MS?: number;
  CHAIN_START_BLOCK?: number;
  CHAIN_MAX_GAS_LIMIT: number;
  CHAIN_MAX_FEE_GWEI: number;
  CHAIN_LOG_RANGE: number;
  CHAIN_HEAD_MARGIN?: number;
  TREASURY_PRIVATE_KEY?: string;
  USDC_ADDRESS?: string;
  DAI_ADDRESS?: string;
  USDCX_ADDRESS?: string;
  DAIX_ADDRESS?: string;
  SUPERFLUID_HOST_ADDRESS?: string;
  SUPERFLUID_CFA_FORWARDER_ADDRESS?: string;
  ENCRYPTED_CREDITS_ADDRESS?: string;
};

/**
 * Without CHAIN_RPC_URL Tally runs the embedded development chain and deploys everything itself (its
 * files live in TALLY_HOME/chain); with it, the chain, keys and contract addresses are configured.
 */
function chainSettings(env: ChainEnv) {
  const limits = {
    maxGasLimit: BigInt(env.CHAIN_MAX_GAS_LIMIT),
    maxFeePerGas: BigInt(env.CHAIN_MAX_FEE_GWEI) * 10n ** 9n,
    logRange: BigInt(env.CHAIN_LOG_RANGE),
  };
  if (!env.CHAIN_RPC_URL) {
    return {
      mode: 'embedded' as const,
      dir: path.resolve(env.TALLY_HOME, 'chain'),
      name: env.CHAIN_NAME ?? 'Tally development chain',
      confirmations: env.CHAIN_CONFIRMATIONS ?? 0,
      pollMs: env.CHAIN_POLL_MS ?? 250,
      headMargin: BigInt(env.CHAIN_HEAD_MARGIN ?? 0),
      ...limits,
    };
  }
  return {
    mode: 'external' as const,
    rpcUrl: env.CHAIN_RPC_URL,
    chainId: env.CHAIN_ID as number,
    name: env.CHAIN_NAME ?? `Chain ${env.CHAIN_ID}`,
    nativeSymbol: env.CHAIN_NATIVE_SYMBOL ?? 'ETH',
    confirmations: env.CHAIN_CONFIRMATIONS ?? 3,
    pollMs: env.CHAIN_POLL_MS ?? 4_000,
    // A load-balanced provider's backends trail each other by a block or two.
    headMargin: BigInt(env.CHAIN_HEAD_MARGIN ?? 2),
    startBlock: env.CHAIN_START_BLOCK === undefined ? undefined : BigInt(env.CHAIN_START_BLOCK),
    treasuryPrivateKey: env.TREASURY_PRIVATE_KEY as `0x${string}`,
    addresses: {
      usdc: env.USDC_ADDRESS as `0x${string}`,
      dai: env.DAI_ADDRESS as `0x${string}` | undefined,
      usdcx: env.USDCX_ADDRESS as `0x${string}` | undefined,
      daix: env.DAIX_ADDRESS as `0x${string}` | undefined,
      superfluidHost: env.SUPERFLUID_HOST_ADDRESS as `0x${string}` | undefined,
      cfaForwarder: (env.SUPERFLUID_CFA_FORWARDER_ADDRESS ??
        (env.SUPERFLUID_HOST_ADDRESS
          ? (SUPERFLUID_CFA_FORWARDER_ON[env.CHAIN_ID as number] ?? SUPERFLUID_CFA_FORWARDER)
          : undefined)) as `0x${string}` | undefined,
      encryptedCredits: env.ENCRYPTED_CREDITS_ADDRESS as `0x${string}` | undefined,
    },
    ...limits,
  };
}

export type ChainSettings = ReturnType<typeof chainSettings>;

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
