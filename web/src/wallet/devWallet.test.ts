import {
  defineChain,
  type Hex,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  toHex,
  verifyMessage,
  verifyTypedData,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { devWalletProvider } from './devWallet';

const chain = defineChain({
  id: 31337,
  name: 'Tally development chain',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://tally.test/api/chain/rpc'] } },
});
const account = privateKeyToAccount(generatePrivateKey());
const someoneElse = privateKeyToAccount(generatePrivateKey()).address;

/** Tally's proxy as the wallet sees it: what the chain would answer, and every raw transaction sent. */
function fakeProxy() {
  const asked: string[] = [];
  const sent: Hex[] = [];
  const answers: Record<string, (params: unknown[]) => unknown> = {
    eth_chainId: () => toHex(chain.id),
    eth_blockNumber: () => '0x2a',
    eth_getTransactionCount: () => '0x5',
    eth_estimateGas: () => '0x5208',
    eth_maxPriorityFeePerGas: () => '0x3b9aca00',
    eth_getBlockByNumber: () => ({
      number: '0x2a',
      hash: `0x${'ab'.repeat(32)}`,
      baseFeePerGas: '0x3b9aca00',
    }),
    eth_sendRawTransaction: ([raw]) => {
      sent.push(raw as Hex);
      return keccak256(raw as Hex);
    },
  };
  const fetch = vi.fn(async (_url: string, init: RequestInit) => {
    const { id, method, params } = JSON.parse(String(init.body)) as {
      id: number;
      method: string;
      params: unknown[];
    };
    asked.push(method);
    const answer = answers[method];
    const body = answer
      ? { jsonrpc: '2.0', id, result: answer(params) }
      : { jsonrpc: '2.0', id, error: { code: -32601, message: `${method} is not available through Tally` } };
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  });
  return { fetch, asked, sent };
}

describe('the development wallet provider', () => {
  let proxy: ReturnType<typeof fakeProxy>;
  const provider = () =>
    devWalletProvider({ holder: () => account, chain, rpcUrl: chain.rpcUrls.default.http[0] });

  beforeEach(() => {
    proxy = fakeProxy();
    vi.stubGlobal('fetch', proxy.fetch);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('answers accounts and the chain id itself, without asking the chain', async () => {
    await expect(provider().request({ method: 'eth_requestAccounts' })).resolves.toEqual([account.address]);
    await expect(provider().request({ method: 'eth_accounts' })).resolves.toEqual([account.address]);
    await expect(provider().request({ method: 'eth_chainId' })).resolves.toBe('0x7a69');
    expect(proxy.asked).toEqual([]);
  });

  it('signs a message (EIP-191 personal_sign) with its key, and only for its own address', async () => {
    const signature = (await provider().request({
      method: 'personal_sign',
      params: [toHex('Sign in to Tally'), account.address],
    })) as Hex;
    await expect(
      verifyMessage({ address: account.address, message: 'Sign in to Tally', signature }),
    ).resolves.toBe(true);
    await expect(
      provider().request({ method: 'personal_sign', params: [toHex('Sign in to Tally'), someoneElse] }),
    ).rejects.toMatchObject({ code: 4100 });
    expect(proxy.asked).toEqual([]);
  });

  it('signs EIP-712 typed data given as JSON (eth_signTypedData_v4)', async () => {
    const typedData = {
      domain: { name: 'USD Coin', version: '2', chainId: chain.id, verifyingContract: someoneElse },
      types: {
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'version', type: 'string' },
          { name: 'chainId', type: 'uint256' },
          { name: 'verifyingContract', type: 'address' },
        ],
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: {
        owner: account.address,
        spender: someoneElse,
        value: '250000000',
        nonce: '0',
        deadline: '1',
      },
    } as const;
    const signature = (await provider().request({
      method: 'eth_signTypedData_v4',
      params: [account.address, JSON.stringify(typedData)],
    })) as Hex;
    const { EIP712Domain: _, ...types } = typedData.types;
    await expect(
      verifyTypedData({
        address: account.address,
        domain: typedData.domain,
        types,
        primaryType: 'Permit',
        message: { ...typedData.message, value: 250000000n, nonce: 0n, deadline: 1n },
        signature,
      }),
    ).resolves.toBe(true);
  });

  it('fills in and signs a transaction itself, and sends it raw through the proxy', async () => {
    const hash = await provider().request({
      method: 'eth_sendTransaction',
      params: [{ from: account.address, to: someoneElse, value: '0x64' }],
    });
    expect(proxy.sent).toHaveLength(1);
    const raw = proxy.sent[0]!;
    expect(hash).toBe(keccak256(raw));
    expect(parseTransaction(raw)).toMatchObject({
      type: 'eip1559',
      chainId: chain.id,
      to: someoneElse.toLowerCase(),
      value: 100n,
      nonce: 5,
      gas: 21000n,
    });
    await expect(recoverTransactionAddress({ serializedTransaction: raw as never })).resolves.toBe(
      account.address,
    );
    expect(proxy.asked).not.toContain('eth_sendTransaction');
  });

  it('forwards what it cannot answer itself to the proxy, and refuses wallet methods it does not offer', async () => {
    await expect(provider().request({ method: 'eth_blockNumber' })).resolves.toBe('0x2a');
    expect(proxy.asked).toEqual(['eth_blockNumber']);
    await expect(
      provider().request({ method: 'wallet_sendCalls', params: [] as never }),
    ).rejects.toMatchObject({
      code: 4200,
    });
  });
});
