import { parseArgs } from 'node:util';
import { resolveAdminApiKey } from '../core/admin-key';
import { type Command, UsageError } from '../core/command';
import type { Config } from '../core/config';
import { AppError } from '../core/errors';
import { silentLogger } from '../core/log';
import { formatAmount, parseAmount } from '../core/money';
import { openChain, walletFor } from './runtime';
import { deployEncryptedCredits } from './zk/encrypted-credits';
import { auditorKeyOf } from './zk/operator';

/**
 * The encrypted credits deployed by the treasury on the configured chain, over its USDC, under the
 * auditor key the treasury's signature derives. The embedded chain deploys them itself.
 */
async function deployOperatorCredits(config: Config): Promise<number> {
  const settings = config.chain;
  if (settings.mode !== 'external')
    throw new UsageError(
      'the embedded chain deploys its encrypted credits itself: set CHAIN_RPC_URL to deploy elsewhere',
    );
  if (settings.addresses.encryptedCredits)
    throw new UsageError(`ENCRYPTED_CREDITS_ADDRESS is set already (${settings.addresses.encryptedCredits})`);
  const chain = await openChain(settings, silentLogger);
  try {
    const auditor = await auditorKeyOf(chain.treasury);
    const deployed = await deployEncryptedCredits(
      walletFor(chain.client, chain.treasury),
      chain.client.publicClient,
      {
        usdc: chain.deployment.tokens.USDC.address,
        operator: chain.treasury.address,
        auditorKey: auditor.publicKey,
      },
    );
    console.log(`verifiers: transfer ${deployed.transferVerifier}, withdraw ${deployed.withdrawVerifier}`);
    console.log(`ENCRYPTED_CREDITS_ADDRESS=${deployed.contract}`);
    return 0;
  } finally {
    await chain.stop();
  }
}

/**
 * `tally chain …` talks to the running Tally with the operator key: the treasury has one sender,
 * in the server, and two processes signing with one key would fight over its nonces.
 */
export const chainCommand: Command = {
  name: 'chain',
  usage: `tally chain status                  the chain, the treasury's balances and open transactions
tally chain faucet <address> [--token USDC|DAI] [--amount 1000]
                                    mint test tokens (and ETH for gas) on the development chain;
                                    --amount in whole tokens (250.5), sent to the API in minor units
tally chain deploy-encrypted-credits
                                    deploy the gateway's encrypted credits on the configured chain,
                                    operated by the treasury (run it while Tally is stopped: the
                                    treasury's nonces are the server's when it runs); prints the
                                    ENCRYPTED_CREDITS_ADDRESS to set`,
  run: (args, { config }) => runChainCommand(config, args),
};

async function runChainCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { token: { type: 'string' }, amount: { type: 'string' } },
  });
  if (action === 'deploy-encrypted-credits') return deployOperatorCredits(config);
  const api = runningTallyApi(config);
  if (action === 'status') {
    const status = await api<ChainStatusBody>('GET', '/api/chain/status');
    console.log(`${status.chain.name} (chain ${status.chain.chain_id}) at block ${status.head.number}`);
    console.log(`treasury ${status.treasury.address}`);
    for (const balance of status.treasury.balances) {
      console.log(
        `  ${formatAmount(BigInt(balance.amount), balance.decimals).padStart(28)} ${balance.symbol}`,
      );
    }
    console.log(`transactions: ${status.transactions.queued} queued, ${status.transactions.pending} pending`);
    for (const t of status.transactions.open)
      console.log(`  ${t.state.padEnd(8)} #${t.nonce} ${t.purpose} ${t.id}`);
    for (const f of status.followers)
      console.log(`follower ${f.follower}: block ${f.block_number}, ${f.lag} behind`);
    return 0;
  }
  if (action === 'faucet') {
    const address = positionals[0];
    if (!address) throw new AppError('validation_failed', 'the address to fund is required');
    const symbol = values.token ?? 'USDC';
    let amount: string | undefined;
    if (values.amount !== undefined) {
      const info = await api<{ tokens: { symbol: string; decimals: number }[] }>('GET', '/api/chain');
      const token = info.tokens.find((t) => t.symbol === symbol);
      if (!token) throw new AppError('validation_failed', `no ${symbol} on this chain`, { field: 'token' });
      try {
        amount = parseAmount(values.amount, token.decimals).toString();
      } catch {
        throw new AppError(
          'validation_failed',
          `--amount is a number of ${symbol}, with at most ${token.decimals} decimals, like 250 or 12.5`,
          { field: 'amount' },
        );
      }
    }
    const outcome = await api<{ amount: string; token: string; transactions: ChainTransactionBody[] }>(
      'POST',
      '/api/chain/faucet',
      { address, token: symbol, ...(amount ? { amount } : {}) },
    );
    console.log(`sending ${values.amount ?? 'the default amount of'} ${outcome.token} to ${address} …`);
    for (const queued of outcome.transactions) {
      const done = await waitForTransaction(api, queued.id);
      console.log(
        `${done.state} ${done.mined_hash ?? done.hashes.at(-1) ?? ''} (${String(done.metadata.token)})`,
      );
      if (done.state !== 'confirmed') return 1;
    }
    return 0;
  }
  throw new UsageError(`unknown chain command "${action ?? ''}"`);
}

interface ChainTransactionBody {
  id: string;
  state: string;
  nonce: string;
  purpose: string;
  hashes: string[];
  mined_hash: string | null;
  metadata: Record<string, unknown>;
}

interface ChainStatusBody {
  chain: { name: string; chain_id: number };
  head: { number: string };
  treasury: { address: string; balances: { symbol: string; decimals: number; amount: string }[] };
  transactions: { queued: number; pending: number; open: ChainTransactionBody[] };
  followers: { follower: string; block_number: string; lag: string }[];
}

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** Calls the running Tally's API with the operator key, as the chain's single sender must do the sending. */
function runningTallyApi(config: Config): Api {
  const { key } = resolveAdminApiKey(config.adminApiKey, config.home);
  const base = `http://127.0.0.1:${config.port}`;
  return async (method, path, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }).catch(() => {
      throw new AppError('unavailable', `Tally is not running at ${base}: start it first (npm start)`);
    });
    const json = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!response.ok)
      throw new AppError('bad_request', json.error?.message ?? `${path} answered ${response.status}`);
    return json as never;
  };
}

/** Follows a transaction until it is final, or for two minutes (then it is left to the server). */
async function waitForTransaction(api: Api, id: string): Promise<ChainTransactionBody> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const transaction = await api<ChainTransactionBody>('GET', `/api/chain/transactions/${id}`);
    const open = transaction.state === 'queued' || transaction.state === 'pending';
    if (!open || Date.now() > deadline) return transaction;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
