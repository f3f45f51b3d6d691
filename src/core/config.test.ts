import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from './config';

const defaults = {
  port: 3000,
  host: '127.0.0.1',
  home: path.resolve('./.tally'),
  dataDir: path.resolve('./.tally/data'),
  databaseUrl: undefined,
  databasePoolSize: 20,
  adminApiKey: undefined,
  logLevel: 'info',
  maxBodyBytes: 1024 * 1024,
  maxUploadBytes: 10 * 1024 * 1024,
  filesDir: path.resolve('./.tally/files'),
  publicUrl: 'http://localhost:3000',
  smtpUrl: undefined,
  mailFrom: 'Tally <no-reply@tally.localhost>',
  mailboxOpen: true,
  allowPrivateNetwork: true,
  dnsServers: [],
  jobsEnabled: true,
  jobsPollMs: 500,
  chain: {
    mode: 'embedded',
    dir: path.resolve('./.tally/chain'),
    name: 'Tally development chain',
    confirmations: 0,
    pollMs: 250,
    maxGasLimit: 3_000_000n,
    maxFeePerGas: 500_000_000_000n,
    logRange: 2000n,
    headMargin: 0n,
  },
};

/** The ConfigError `loadConfig(env)` throws; fails the test when it accepts the environment. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('loadConfig', () => {
  it('uses the defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual(defaults);
  });

  it('treats empty strings and undefined values as unset', () => {
    const env = {
      PORT: '',
      HOST: '',
      TALLY_HOME: '',
      TALLY_DATA_DIR: '',
      DATABASE_URL: '',
      DATABASE_POOL_SIZE: '',
      ADMIN_API_KEY: '',
      LOG_LEVEL: '',
      MAX_BODY_BYTES: '',
      JOBS_ENABLED: undefined,
      JOBS_POLL_MS: undefined,
    };
    expect(loadConfig(env)).toEqual(defaults);
  });

  it('keeps uploads in their own folder with their own size limit', () => {
    expect(loadConfig({ TALLY_HOME: '/srv/tally' }).filesDir).toBe('/srv/tally/files');
    expect(loadConfig({ TALLY_FILES_DIR: '/mnt/shared' }).filesDir).toBe('/mnt/shared');
    expect(loadConfig({ MAX_UPLOAD_BYTES: '2048' }).maxUploadBytes).toBe(2048);
    expect(configError({ MAX_UPLOAD_BYTES: '10' }).message).toContain('MAX_UPLOAD_BYTES');
  });

  it('derives the public URL from the port, and takes a configured one without its trailing slash', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://pay.example.com/' }).publicUrl).toBe('https://pay.example.com');
  });

  it('opens the Mailbox to visitors only on a loopback server without SMTP, unless told', () => {
    expect(loadConfig({}).mailboxOpen).toBe(true);
    expect(loadConfig({ HOST: '0.0.0.0' }).mailboxOpen).toBe(false);
    expect(loadConfig({ SMTP_URL: 'smtp://mail.example.com' }).mailboxOpen).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0', MAILBOX_OPEN: 'true' }).mailboxOpen).toBe(true);
    // Behind a reverse proxy on the same machine, reached at a public address: closed.
    expect(loadConfig({ PUBLIC_URL: 'https://pay.example.com' }).mailboxOpen).toBe(false);
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).mailboxOpen).toBe(true);
    expect(loadConfig({ PUBLIC_URL: 'http://[::1]:3000' }).mailboxOpen).toBe(true);
  });

  it('reaches private addresses for others only on a developer’s machine, unless told', () => {
    expect(loadConfig({}).allowPrivateNetwork).toBe(true);
    expect(loadConfig({ HOST: '0.0.0.0' }).allowPrivateNetwork).toBe(false);
    expect(loadConfig({ PUBLIC_URL: 'https://pay.example.com' }).allowPrivateNetwork).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0', ALLOW_PRIVATE_NETWORK: 'true' }).allowPrivateNetwork).toBe(true);
    expect(loadConfig({ ALLOW_PRIVATE_NETWORK: 'false' }).allowPrivateNetwork).toBe(false);
  });

  it('looks domains up on the DNS servers it is given, the system’s otherwise', () => {
    expect(loadConfig({}).dnsServers).toEqual([]);
    expect(loadConfig({ DNS_SERVERS: '127.0.0.1:5353' }).dnsServers).toEqual(['127.0.0.1:5353']);
    expect(
      loadConfig({ DNS_SERVERS: ' 1.1.1.1, 8.8.8.8:53 ,[::1]:5353,2606:4700::1111,' }).dnsServers,
    ).toEqual(['1.1.1.1', '8.8.8.8:53', '[::1]:5353', '2606:4700::1111']);
    for (const wrong of [
      'dns.example.com',
      '127.0.0.1:0',
      '127.0.0.1:70000',
      '300.1.1.1',
      '[1.1.1.1]:53',
      '::1]:53',
    ]) {
      expect(configError({ DNS_SERVERS: wrong }).problems, wrong).toEqual([
        'DNS_SERVERS: must be IP addresses, each with an optional port, separated by commas (127.0.0.1:5353,[::1]:53)',
      ]);
    }
  });

  it('accepts only smtp:// and smtps:// mail servers', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://mail.example.com:587' }).smtpUrl).toBe(
      'smtp://mail.example.com:587',
    );
    expect(configError({ SMTP_URL: 'http://mail.example.com' }).message).toContain('SMTP_URL');
  });

  it('coerces numeric variables to numbers', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_POOL_SIZE: '5',
      MAX_BODY_BYTES: '2048',
      JOBS_POLL_MS: '250',
    });
    expect(config.port).toBe(8080);
    expect(config.databasePoolSize).toBe(5);
    expect(config.maxBodyBytes).toBe(2048);
    expect(config.jobsPollMs).toBe(250);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads JOBS_ENABLED=%s as %s', (value, enabled) => {
    expect(loadConfig({ JOBS_ENABLED: value }).jobsEnabled).toBe(enabled);
  });

  it('accepts postgres:// and postgresql:// database URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://tally@db:5432/tally' }).databaseUrl).toBe(
      'postgres://tally@db:5432/tally',
    );
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/tally' }).databaseUrl).toBe('postgresql://db/tally');
  });

  it('resolves the data directory under TALLY_HOME unless TALLY_DATA_DIR is set', () => {
    expect(loadConfig({ TALLY_HOME: '/srv/tally' })).toMatchObject({
      home: path.resolve('/srv/tally'),
      dataDir: path.resolve('/srv/tally/data'),
    });
    expect(loadConfig({ TALLY_HOME: '/srv/tally', TALLY_DATA_DIR: '/mnt/data' })).toMatchObject({
      home: path.resolve('/srv/tally'),
      dataDir: path.resolve('/mnt/data'),
    });
  });

  it('passes the other values through and ignores unrelated variables', () => {
    const key = 'k'.repeat(24);
    const config = loadConfig({
      HOST: '0.0.0.0',
      ADMIN_API_KEY: key,
      LOG_LEVEL: 'debug',
      PATH: '/usr/bin',
      SOMETHING_ELSE: 'x',
    });
    expect(config).toEqual({
      ...defaults,
      host: '0.0.0.0',
      adminApiKey: key,
      logLevel: 'debug',
      mailboxOpen: false,
      allowPrivateNetwork: false,
    });
  });

  it('reads process.env by default', () => {
    vi.stubEnv('PORT', '4567');
    vi.stubEnv('LOG_LEVEL', 'warn');
    const config = loadConfig();
    expect(config.port).toBe(4567);
    expect(config.logLevel).toBe('warn');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['ADMIN_API_KEY', 'k'.repeat(23)],
    ['DATABASE_POOL_SIZE', '0'],
    ['MAX_BODY_BYTES', '10'],
    ['JOBS_ENABLED', 'maybe'],
    ['JOBS_POLL_MS', '5'],
  ])('rejects %s=%j with a ConfigError naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) expect(problem).toMatch(new RegExp(`^${name}: `));
    expect(error.message).toContain(`${name}: `);
    expect(error.message).toMatch(/^Invalid configuration:\n {2}- /);
  });

  it('says why a value is wrong', () => {
    expect(configError({ DATABASE_URL: 'mysql://x' }).problems).toEqual([
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
    ]);
    expect(configError({ ADMIN_API_KEY: 'too-short' }).problems).toEqual([
      'ADMIN_API_KEY: must be at least 24 characters',
    ]);
  });

  it('reports every wrong variable at once', () => {
    const error = configError({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', HOST: '::1' });
    expect(error.problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
    ]);
  });

  describe('chain', () => {
    const fuji = {
      CHAIN_RPC_URL: 'https://api.avax-test.network/ext/bc/C/rpc',
      CHAIN_ID: '43113',
      TREASURY_PRIVATE_KEY: `0x${'ab'.repeat(32)}`,
      USDC_ADDRESS: '0x5425890298aed601595a70AB815c96711a31Bc65',
    };

    it("runs an external chain with its key and addresses, and Superfluid's forwarder by default", () => {
      const chain = loadConfig({ ...fuji, SUPERFLUID_HOST_ADDRESS: `0x${'11'.repeat(20)}` }).chain;
      expect(chain).toMatchObject({
        mode: 'external',
        rpcUrl: fuji.CHAIN_RPC_URL,
        chainId: 43113,
        nativeSymbol: 'ETH',
        confirmations: 3,
        pollMs: 4000,
        logRange: 2000n,
        headMargin: 2n,
        treasuryPrivateKey: fuji.TREASURY_PRIVATE_KEY,
        addresses: {
          usdc: fuji.USDC_ADDRESS,
          superfluidHost: `0x${'11'.repeat(20)}`,
          // Fuji is the one testnet where the forwarder lives elsewhere.
          cfaForwarder: '0x2CDd45c5182602a36d391F7F16DD9f8386C3bD8D',
        },
      });
      expect(
        loadConfig({ ...fuji, CHAIN_CONFIRMATIONS: '12', CHAIN_START_BLOCK: '100' }).chain,
      ).toMatchObject({
        confirmations: 12,
        startBlock: 100n,
      });
      expect(loadConfig({ ...fuji, CHAIN_LOG_RANGE: '500', CHAIN_HEAD_MARGIN: '0' }).chain).toMatchObject({
        logRange: 500n,
        headMargin: 0n,
      });
      expect(configError({ ...fuji, CHAIN_LOG_RANGE: '0' }).problems[0]).toMatch(/^CHAIN_LOG_RANGE: /);
    });

    it('names what an external chain is missing', () => {
      const { problems } = configError({ CHAIN_RPC_URL: fuji.CHAIN_RPC_URL });
      expect(problems).toEqual([
        'CHAIN_ID: is required with CHAIN_RPC_URL',
        'TREASURY_PRIVATE_KEY: is required with CHAIN_RPC_URL',
        'USDC_ADDRESS: is required with CHAIN_RPC_URL',
      ]);
    });

    it('refuses malformed keys and addresses, and chain settings without a chain to apply them to', () => {
      expect(configError({ ...fuji, TREASURY_PRIVATE_KEY: '0x1234' }).problems[0]).toMatch(
        /^TREASURY_PRIVATE_KEY: must be a 0x-prefixed 32-byte hex private key/,
      );
      expect(configError({ ...fuji, USDC_ADDRESS: '0xnothex' }).problems[0]).toMatch(
        /^USDC_ADDRESS: must be/,
      );
      expect(configError({ CHAIN_RPC_URL: 'ws://127.0.0.1:8545' }).problems[0]).toMatch(/^CHAIN_RPC_URL:/);
      expect(configError({ USDC_ADDRESS: fuji.USDC_ADDRESS }).problems).toEqual([
        'USDC_ADDRESS: is only used with CHAIN_RPC_URL (without it Tally runs its own chain)',
      ]);
    });
  });
});
