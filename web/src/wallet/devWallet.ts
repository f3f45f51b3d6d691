import {
  type Address,
  type Chain,
  createWalletClient,
  type EIP1193Parameters,
  type EIP1193RequestFn,
  getAddress,
  type Hex,
  hexToBigInt,
  hexToNumber,
  http,
  InvalidParamsRpcError,
  isAddress,
  isAddressEqual,
  numberToHex,
  type RpcTransactionRequest,
  SwitchChainError,
  type TypedDataDefinition,
  UnauthorizedProviderError,
  UnsupportedProviderMethodError,
} from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { createConnector } from 'wagmi';

/**
 * The development wallet: a test key held in this browser's localStorage, offered on the embedded
 * development chain only, so a person without a wallet extension (and the browser journeys) can sign
 * for real. It is an EIP-1193 provider like an extension's: accounts, chain id and signatures are
 * answered in the page; everything else goes to the chain through Tally's proxy, and a transaction
 * is signed here and sent as a raw transaction (the proxy never signs).
 */

const PRIVATE_KEY_ITEM = 'tally.devWallet.privateKey';
const CONNECTED_ITEM = 'devWallet.connected';

function isPrivateKey(value: string | null): value is Hex {
  return value !== null && /^0x[0-9a-fA-F]{64}$/.test(value);
}

/** This browser's development key, made the first time it is asked for. */
export function devWalletAccount(): PrivateKeyAccount {
  let key = localStorage.getItem(PRIVATE_KEY_ITEM);
  if (!isPrivateKey(key)) {
    key = generatePrivateKey();
    localStorage.setItem(PRIVATE_KEY_ITEM, key);
  }
  return privateKeyToAccount(key as Hex);
}

const quantity = (value: Hex | undefined) => (value === undefined ? undefined : hexToBigInt(value));

/** An eth_sendTransaction request (hex quantities) as viem's parameters; what is missing, viem fills in. */
function transactionFromRpc(request: RpcTransactionRequest) {
  const common = {
    to: request.to ?? undefined,
    data: request.data,
    value: quantity(request.value),
    gas: quantity(request.gas),
    nonce: request.nonce === undefined ? undefined : hexToNumber(request.nonce),
  };
  if (request.gasPrice !== undefined) return { ...common, gasPrice: hexToBigInt(request.gasPrice) };
  return {
    ...common,
    maxFeePerGas: quantity(request.maxFeePerGas),
    maxPriorityFeePerGas: quantity(request.maxPriorityFeePerGas),
  };
}

/** What eth_signTypedData_v4 carries: the typed data as JSON (EIP-712). */
function typedDataFromJson(json: unknown): TypedDataDefinition {
  const parsed: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (typeof parsed !== 'object' || parsed === null || !('types' in parsed) || !('primaryType' in parsed)) {
    throw new InvalidParamsRpcError(new Error('eth_signTypedData_v4 needs EIP-712 typed data'));
  }
  return parsed as TypedDataDefinition;
}

export interface DevWalletProvider {
  request: EIP1193RequestFn;
  on(event: string, listener: (...args: unknown[]) => void): void;
  removeListener(event: string, listener: (...args: unknown[]) => void): void;
}

/**
 * The EIP-1193 provider of the development wallet, for one account on one chain. The key is read
 * (or made) at the first request that needs it, not when wagmi merely looks for providers.
 */
export function devWalletProvider({
  holder,
  chain,
  rpcUrl,
}: {
  holder: () => PrivateKeyAccount;
  chain: Chain;
  rpcUrl: string;
}): DevWalletProvider {
  const transport = http(rpcUrl, { retryCount: 0 });
  const chainTransport = transport({ chain, retryCount: 0 });
  // A local account: viem asks the chain (through the proxy) for nonce, gas and fees, signs here, and
  // sends the result with eth_sendRawTransaction.
  const signer = () => createWalletClient({ account: holder(), chain, transport });

  const ownAddress = (value: unknown): PrivateKeyAccount => {
    const account = holder();
    if (typeof value !== 'string' || !isAddress(value) || !isAddressEqual(value, account.address)) {
      throw new UnauthorizedProviderError(new Error(`the development wallet holds only ${account.address}`));
    }
    return account;
  };

  const request = async ({ method, params }: EIP1193Parameters): Promise<unknown> => {
    const args = (params ?? []) as unknown[];
    switch (method) {
      case 'eth_accounts':
      case 'eth_requestAccounts':
        return [holder().address];
      case 'eth_chainId':
        return numberToHex(chain.id);
      case 'net_version':
        return String(chain.id);
      case 'personal_sign':
        return ownAddress(args[1]).signMessage({ message: { raw: args[0] as Hex } });
      case 'eth_signTypedData_v4':
        return ownAddress(args[0]).signTypedData(typedDataFromJson(args[1]));
      case 'eth_sendTransaction': {
        const transaction = args[0] as RpcTransactionRequest;
        ownAddress(transaction.from);
        return signer().sendTransaction(transactionFromRpc(transaction));
      }
      case 'wallet_switchEthereumChain': {
        const [{ chainId }] = args as [{ chainId: Hex }];
        if (hexToNumber(chainId) === chain.id) return null;
        throw new SwitchChainError(new Error(`the development wallet is only on ${chain.name}`));
      }
      default:
        if (method.startsWith('wallet_') || method.startsWith('eth_sign')) {
          throw new UnsupportedProviderMethodError(
            new Error(`the development wallet does not offer ${method}`),
          );
        }
        return chainTransport.request({ method, params } as never);
    }
  };

  // One account on one chain: neither ever changes, so no event is ever emitted.
  return { request: request as EIP1193RequestFn, on() {}, removeListener() {} };
}

devWallet.type = 'devWallet' as const;

/** The wagmi connector of the development wallet; the chain is the config's first (and only) one. */
export function devWallet({ rpcUrl }: { rpcUrl: string }) {
  type StorageItem = { [CONNECTED_ITEM]: boolean };
  let provider: DevWalletProvider | undefined;
  let account: PrivateKeyAccount | undefined;

  return createConnector<DevWalletProvider, Record<string, unknown>, StorageItem>((config) => {
    const chain = config.chains[0];
    const holder = () => {
      account ??= devWalletAccount();
      return account;
    };
    return {
      id: 'tallyDevWallet',
      name: 'Development wallet',
      type: devWallet.type,
      async connect({ withCapabilities } = {}) {
        const address = holder().address;
        await config.storage?.setItem(CONNECTED_ITEM, true);
        return {
          accounts: (withCapabilities ? [{ address, capabilities: {} }] : [address]) as never,
          chainId: chain.id,
        };
      },
      async disconnect() {
        await config.storage?.removeItem(CONNECTED_ITEM);
      },
      async getAccounts(): Promise<readonly Address[]> {
        return [holder().address];
      },
      async getChainId() {
        return chain.id;
      },
      async getProvider() {
        provider ??= devWalletProvider({ holder, chain, rpcUrl });
        return provider;
      },
      async isAuthorized() {
        return (await config.storage?.getItem(CONNECTED_ITEM)) === true;
      },
      onAccountsChanged(accounts) {
        if (accounts.length === 0) this.onDisconnect();
        else config.emitter.emit('change', { accounts: accounts.map((address) => getAddress(address)) });
      },
      onChainChanged(chainId) {
        config.emitter.emit('change', { chainId: Number(chainId) });
      },
      onDisconnect() {
        config.emitter.emit('disconnect');
      },
    };
  });
}
