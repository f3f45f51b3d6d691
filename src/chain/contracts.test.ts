import { randomBytes } from 'node:crypto';
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  concat,
  domainSeparator,
  getAddress,
  type Hex,
  hashTypedData,
  keccak256,
  numberToHex,
  parseEventLogs,
  parseSignature,
  recoverAddress,
  type TypedDataDomain,
  toFunctionSelector,
  toHex,
  zeroAddress,
} from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../../test/support/anvil';
import * as ERC1271Wallet from './contracts/ERC1271Wallet';
import * as TestDAI from './contracts/TestDAI';
import * as TestUSDC from './contracts/TestUSDC';

/** EIP-3009 §Specification: the typed data an authorizer signs. */
const authorizationFields = [
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
] as const;
const authorizationTypes = {
  TransferWithAuthorization: authorizationFields,
  ReceiveWithAuthorization: authorizationFields,
} as const;
const cancelTypes = {
  CancelAuthorization: [
    { name: 'authorizer', type: 'address' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const;
const permitTypes = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

/** Far enough ahead that no test's clock reaches it. */
const farFuture = 2n ** 48n;
/** secp256k1's group order: a signature with s above n/2 is the malleable twin EIP-2 forbids. */
const secp256k1Order = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

type Authorization = {
  from: Address;
  to: Address;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  nonce: Hex;
};

let anvil: Anvil;
let usdc: Address;
let dai: Address;
let domain: TypedDataDomain;

beforeAll(async () => {
  anvil = await startAnvil();
  usdc = await deploy(TestUSDC.abi, TestUSDC.bytecode);
  dai = await deploy(TestDAI.abi, TestDAI.bytecode);
  domain = { name: 'USD Coin', version: '2', chainId: anvil.publicClient.chain.id, verifyingContract: usdc };
});

/** Deploys from anvil account 0; each of our contracts takes its owner as its one constructor argument. */
async function deploy(
  abi: typeof TestUSDC.abi | typeof TestDAI.abi | typeof ERC1271Wallet.abi,
  bytecode: Hex,
  owner: Address = anvil.wallet(0).account.address,
): Promise<Address> {
  const hash = await anvil.wallet(0).deployContract({ abi, bytecode, args: [owner] });
  const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error('deployment made no contract');
  return getAddress(receipt.contractAddress);
}

/** EIP-3009 §Specification: nonces are random 32-byte values, not a counter. */
function randomNonce(): Hex {
  return toHex(randomBytes(32));
}

function newAuthorizer(): PrivateKeyAccount {
  return privateKeyToAccount(generatePrivateKey());
}

async function mintUsdc(to: Address, value: bigint): Promise<void> {
  await waitFor(
    anvil
      .wallet(0)
      .writeContract({ address: usdc, abi: TestUSDC.abi, functionName: 'mint', args: [to, value] }),
  );
}

async function waitFor(sending: Promise<Hex>) {
  const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash: await sending });
  expect(receipt.status).toBe('success');
  return receipt;
}

async function balanceOf(holder: Address): Promise<bigint> {
  return anvil.publicClient.readContract({
    address: usdc,
    abi: TestUSDC.abi,
    functionName: 'balanceOf',
    args: [holder],
  });
}

async function latestTimestamp(): Promise<bigint> {
  return (await anvil.publicClient.getBlock()).timestamp;
}

/** An authorization from a fresh authorizer holding `value`, valid now and for long. */
async function fundedAuthorization(overrides: Partial<Authorization> = {}) {
  const signer = newAuthorizer();
  const authorization: Authorization = {
    from: signer.address,
    to: privateKeyToAccount(generatePrivateKey()).address,
    value: 1_500_000n,
    validAfter: 0n,
    validBefore: farFuture,
    nonce: randomNonce(),
    ...overrides,
  };
  await mintUsdc(authorization.from, authorization.value);
  return { signer, authorization };
}

function signAuthorization(
  signer: PrivateKeyAccount,
  primaryType: 'TransferWithAuthorization' | 'ReceiveWithAuthorization',
  authorization: Authorization,
): Promise<Hex> {
  return signer.signTypedData({ domain, types: authorizationTypes, primaryType, message: authorization });
}

function signCancel(signer: PrivateKeyAccount, authorizer: Address, nonce: Hex): Promise<Hex> {
  return signer.signTypedData({
    domain,
    types: cancelTypes,
    primaryType: 'CancelAuthorization',
    message: { authorizer, nonce },
  });
}

function splitSignature(signature: Hex): [number, Hex, Hex] {
  const { r, s, yParity } = parseSignature(signature);
  return [yParity + 27, r, s];
}

function authorizationArgs(authorization: Authorization) {
  const { from, to, value, validAfter, validBefore, nonce } = authorization;
  return [from, to, value, validAfter, validBefore, nonce] as const;
}

/** Submitted by a relayer (anvil account 1), as a gasless transfer is. */
function transferWithAuthorization(authorization: Authorization, signature: Hex) {
  return anvil.wallet(1).writeContract({
    address: usdc,
    abi: TestUSDC.abi,
    functionName: 'transferWithAuthorization',
    args: [...authorizationArgs(authorization), ...splitSignature(signature)],
  });
}

/** Expects the call to revert with the custom error named (OpenZeppelin's kind), and its arguments when given. */
async function expectRevert(
  sending: Promise<unknown>,
  errorName: string,
  args?: readonly unknown[],
): Promise<void> {
  const error = await sending.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error, `expected a revert with ${errorName}`).toBeInstanceOf(BaseError);
  const revert = (error as BaseError).walk((cause) => cause instanceof ContractFunctionRevertedError);
  expect(revert).toBeInstanceOf(ContractFunctionRevertedError);
  const data = (revert as ContractFunctionRevertedError).data;
  expect(data?.errorName).toBe(errorName);
  if (args) expect(data?.args).toEqual(args);
}

/** Expects the call to revert with USDC's kind of error: `Error(string)` with exactly this reason. */
async function expectReason(sending: Promise<unknown>, reason: string): Promise<void> {
  const error = await sending.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error, `expected a revert with "${reason}"`).toBeInstanceOf(BaseError);
  const revert = (error as BaseError).walk((cause) => cause instanceof ContractFunctionRevertedError);
  expect(revert).toBeInstanceOf(ContractFunctionRevertedError);
  expect((revert as ContractFunctionRevertedError).data?.errorName).toBe('Error');
  expect((revert as ContractFunctionRevertedError).reason).toBe(reason);
}

describe('TestUSDC', () => {
  it('presents itself as USDC does: name, symbol, 6 decimals, EIP-712 domain "USD Coin" version "2"', async () => {
    const read = (functionName: 'name' | 'symbol' | 'decimals' | 'DOMAIN_SEPARATOR') =>
      anvil.publicClient.readContract({ address: usdc, abi: TestUSDC.abi, functionName });
    expect(await read('name')).toBe('USD Coin');
    expect(await read('symbol')).toBe('USDC');
    expect(await read('decimals')).toBe(6);
    expect(await read('DOMAIN_SEPARATOR')).toBe(domainSeparator({ domain }));
  });

  it('declares the EIP-3009 type hashes exactly as the EIP writes them', async () => {
    const typehash = (
      functionName:
        | 'TRANSFER_WITH_AUTHORIZATION_TYPEHASH'
        | 'RECEIVE_WITH_AUTHORIZATION_TYPEHASH'
        | 'CANCEL_AUTHORIZATION_TYPEHASH',
    ) => anvil.publicClient.readContract({ address: usdc, abi: TestUSDC.abi, functionName });
    const fields =
      'address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce';
    expect(await typehash('TRANSFER_WITH_AUTHORIZATION_TYPEHASH')).toBe(
      keccak256(toHex(`TransferWithAuthorization(${fields})`)),
    );
    expect(await typehash('RECEIVE_WITH_AUTHORIZATION_TYPEHASH')).toBe(
      keccak256(toHex(`ReceiveWithAuthorization(${fields})`)),
    );
    expect(await typehash('CANCEL_AUTHORIZATION_TYPEHASH')).toBe(
      keccak256(toHex('CancelAuthorization(address authorizer,bytes32 nonce)')),
    );
  });

  it('mints only for a minter', async () => {
    const holder = newAuthorizer().address;
    await mintUsdc(holder, 7n);
    expect(await balanceOf(holder)).toBe(7n);
    const stranger = anvil.wallet(1);
    await expectReason(
      stranger.writeContract({ address: usdc, abi: TestUSDC.abi, functionName: 'mint', args: [holder, 1n] }),
      'FiatToken: caller is not a minter',
    );
  });
});

describe('TestUSDC as FiatTokenV2_2', () => {
  /** A token of its own, so pausing and blacklisting cannot touch the other tests' token. */
  async function freshToken() {
    const address = await deploy(TestUSDC.abi, TestUSDC.bytecode);
    const as = (index: number) => ({
      write: (functionName: string, args: readonly unknown[]) =>
        anvil.wallet(index).writeContract({
          address,
          abi: TestUSDC.abi,
          functionName,
          args,
        } as unknown as Parameters<ReturnType<Anvil['wallet']>['writeContract']>[0]),
    });
    const read = <T>(functionName: string, args: readonly unknown[] = []) =>
      anvil.publicClient.readContract({
        address,
        abi: TestUSDC.abi,
        functionName,
        args,
      } as never) as Promise<T>;
    return { address, owner: as(0), holder: as(1), spender: as(2), read };
  }
  const holderAddress = () => anvil.wallet(1).account.address;
  const spenderAddress = () => anvil.wallet(2).account.address;

  it('answers version() "2" and currency() "USD", and has no EIP-5267 eip712Domain(), as USDC', async () => {
    const read = (functionName: 'version' | 'currency') =>
      anvil.publicClient.readContract({ address: usdc, abi: TestUSDC.abi, functionName });
    expect(await read('version')).toBe('2');
    expect(await read('currency')).toBe('USD');
    const eip712Domain = await anvil.publicClient
      .call({ to: usdc, data: toFunctionSelector('eip712Domain()') })
      .then(
        () => 'answered',
        () => 'reverted',
      );
    expect(eip712Domain).toBe('reverted');
    expect((TestUSDC.abi as readonly { type: string }[]).filter((item) => item.type === 'error')).toEqual([]);
  });

  it('while paused refuses transfers, approvals, mints and authorizations with "Pausable: paused"', async () => {
    const token = await freshToken();
    await waitFor(token.owner.write('mint', [holderAddress(), 100n]));
    await expectReason(token.holder.write('pause', []), 'Pausable: caller is not the pauser');
    await waitFor(token.owner.write('pause', []));
    expect(await token.read<boolean>('paused')).toBe(true);
    await expectReason(token.holder.write('transfer', [spenderAddress(), 1n]), 'Pausable: paused');
    await expectReason(token.holder.write('approve', [spenderAddress(), 1n]), 'Pausable: paused');
    await expectReason(token.owner.write('mint', [holderAddress(), 1n]), 'Pausable: paused');
    await expectReason(
      token.owner.write('cancelAuthorization', [holderAddress(), randomNonce(), '0x']),
      'Pausable: paused',
    );
    await waitFor(token.owner.write('unpause', []));
    await waitFor(token.holder.write('transfer', [spenderAddress(), 1n]));
    expect(await token.read<bigint>('balanceOf', [spenderAddress()])).toBe(1n);
  });

  it('refuses a blacklisted sender, recipient, spender or authorizer, until unblacklisted', async () => {
    const token = await freshToken();
    const payee = newAuthorizer().address;
    await waitFor(token.owner.write('mint', [holderAddress(), 100n]));
    await expectReason(
      token.holder.write('blacklist', [payee]),
      'Blacklistable: caller is not the blacklister',
    );
    await waitFor(token.owner.write('blacklist', [payee]));
    expect(await token.read<boolean>('isBlacklisted', [payee])).toBe(true);
    const blacklisted = 'Blacklistable: account is blacklisted';
    // A payout to a blacklisted payee fails, whether sent or minted.
    await expectReason(token.holder.write('transfer', [payee, 1n]), blacklisted);
    await expectReason(token.owner.write('mint', [payee, 1n]), blacklisted);
    await expectReason(token.holder.write('approve', [payee, 1n]), blacklisted);
    await waitFor(token.holder.write('approve', [spenderAddress(), 10n]));
    await expectReason(token.spender.write('transferFrom', [holderAddress(), payee, 1n]), blacklisted);
    // A blacklisted holder can move nothing, not even by a signed authorization.
    await waitFor(token.owner.write('blacklist', [holderAddress()]));
    await expectReason(token.holder.write('transfer', [spenderAddress(), 1n]), blacklisted);
    await expectReason(
      token.spender.write('transferFrom', [holderAddress(), spenderAddress(), 1n]),
      blacklisted,
    );
    const authorization = {
      from: holderAddress(),
      to: spenderAddress(),
      value: 1n,
      validAfter: 0n,
      validBefore: farFuture,
      nonce: randomNonce(),
    };
    await expectReason(
      token.spender.write('transferWithAuthorization', [...authorizationArgs(authorization), '0x']),
      blacklisted,
    );
    await waitFor(token.owner.write('unBlacklist', [holderAddress()]));
    await waitFor(token.owner.write('unBlacklist', [payee]));
    await waitFor(token.holder.write('transfer', [payee, 1n]));
    expect(await token.read<bigint>('balanceOf', [payee])).toBe(1n);
  });

  it('refuses tokens sent to the token contract itself, as USDC since v2.1', async () => {
    const token = await freshToken();
    await waitFor(token.owner.write('mint', [holderAddress(), 5n]));
    expect(await token.read<boolean>('isBlacklisted', [token.address])).toBe(true);
    await expectReason(
      token.holder.write('transfer', [token.address, 1n]),
      'Blacklistable: account is blacklisted',
    );
  });

  it('mints within a minter allowance the master minter sets, and refuses zero, the zero address and others', async () => {
    const token = await freshToken();
    const minter = anvil.wallet(1);
    await expectReason(
      token.holder.write('configureMinter', [minter.account.address, 10n]),
      'FiatToken: caller is not the masterMinter',
    );
    await waitFor(token.owner.write('configureMinter', [minter.account.address, 10n]));
    const receipt = await waitFor(token.holder.write('mint', [spenderAddress(), 6n]));
    const events = parseEventLogs({ abi: TestUSDC.abi, logs: receipt.logs });
    expect(events.map((event) => [event.eventName, event.args])).toEqual([
      ['Mint', { minter: minter.account.address, to: spenderAddress(), amount: 6n }],
      ['Transfer', { from: zeroAddress, to: spenderAddress(), value: 6n }],
    ]);
    expect(await token.read<bigint>('minterAllowance', [minter.account.address])).toBe(4n);
    await expectReason(
      token.holder.write('mint', [spenderAddress(), 5n]),
      'FiatToken: mint amount exceeds minterAllowance',
    );
    await expectReason(
      token.holder.write('mint', [spenderAddress(), 0n]),
      'FiatToken: mint amount not greater than 0',
    );
    await expectReason(token.holder.write('mint', [zeroAddress, 1n]), 'FiatToken: mint to the zero address');
    await waitFor(token.owner.write('removeMinter', [minter.account.address]));
    await expectReason(
      token.holder.write('mint', [spenderAddress(), 1n]),
      'FiatToken: caller is not a minter',
    );
    expect(await token.read<bigint>('totalSupply')).toBe(6n);
  });

  it('gives ERC-20 refusals as USDC words them', async () => {
    const token = await freshToken();
    await waitFor(token.owner.write('mint', [holderAddress(), 5n]));
    await expectReason(
      token.holder.write('transfer', [spenderAddress(), 6n]),
      'ERC20: transfer amount exceeds balance',
    );
    await expectReason(
      token.holder.write('transfer', [zeroAddress, 1n]),
      'ERC20: transfer to the zero address',
    );
    await expectReason(
      token.holder.write('approve', [zeroAddress, 1n]),
      'ERC20: approve to the zero address',
    );
    await waitFor(token.holder.write('approve', [spenderAddress(), 2n]));
    await expectReason(
      token.spender.write('transferFrom', [holderAddress(), spenderAddress(), 3n]),
      'ERC20: transfer amount exceeds allowance',
    );
    await waitFor(token.holder.write('increaseAllowance', [spenderAddress(), 1n]));
    await waitFor(token.spender.write('transferFrom', [holderAddress(), spenderAddress(), 3n]));
    expect(await token.read<bigint>('allowance', [holderAddress(), spenderAddress()])).toBe(0n);
    await expectReason(
      token.holder.write('decreaseAllowance', [spenderAddress(), 1n]),
      'ERC20: decreased allowance below zero',
    );
    await expectReason(
      token.holder.write('transferOwnership', [holderAddress()]),
      'Ownable: caller is not the owner',
    );
  });
});

describe('EIP-3009 transferWithAuthorization', () => {
  it('moves the tokens, marks the nonce used and emits AuthorizationUsed', async () => {
    const { signer, authorization } = await fundedAuthorization();
    const signature = await signAuthorization(signer, 'TransferWithAuthorization', authorization);
    const receipt = await waitFor(transferWithAuthorization(authorization, signature));
    expect(await balanceOf(authorization.from)).toBe(0n);
    expect(await balanceOf(authorization.to)).toBe(authorization.value);
    const events = parseEventLogs({ abi: TestUSDC.abi, logs: receipt.logs });
    expect(events.map((event) => [event.eventName, event.args])).toEqual([
      ['AuthorizationUsed', { authorizer: authorization.from, nonce: authorization.nonce }],
      ['Transfer', { from: authorization.from, to: authorization.to, value: authorization.value }],
    ]);
    const used = await anvil.publicClient.readContract({
      address: usdc,
      abi: TestUSDC.abi,
      functionName: 'authorizationState',
      args: [authorization.from, authorization.nonce],
    });
    expect(used).toBe(true);
  });

  it('refuses a replay of a used authorization', async () => {
    const { signer, authorization } = await fundedAuthorization({ value: 1_000n });
    await mintUsdc(authorization.from, 1_000n);
    const signature = await signAuthorization(signer, 'TransferWithAuthorization', authorization);
    await waitFor(transferWithAuthorization(authorization, signature));
    await expectReason(
      transferWithAuthorization(authorization, signature),
      'FiatTokenV2: authorization is used or canceled',
    );
    expect(await balanceOf(authorization.to)).toBe(1_000n);
  });

  it('is not yet valid in the block whose timestamp equals validAfter, and valid one second later', async () => {
    const validAfter = (await latestTimestamp()) + 100n;
    const { signer, authorization } = await fundedAuthorization({ validAfter });
    const signature = await signAuthorization(signer, 'TransferWithAuthorization', authorization);
    await anvil.testClient.setNextBlockTimestamp({ timestamp: validAfter });
    await expectReason(
      transferWithAuthorization(authorization, signature),
      'FiatTokenV2: authorization is not yet valid',
    );
    await anvil.testClient.mine({ blocks: 1 });
    expect(await latestTimestamp()).toBe(validAfter);
    await anvil.testClient.setNextBlockTimestamp({ timestamp: validAfter + 1n });
    const receipt = await waitFor(transferWithAuthorization(authorization, signature));
    expect((await anvil.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp).toBe(
      validAfter + 1n,
    );
  });

  it('is expired in the block whose timestamp equals validBefore, and valid one second before', async () => {
    const validBefore = (await latestTimestamp()) + 100n;
    const early = await fundedAuthorization({ validBefore });
    const late = await fundedAuthorization({ validBefore });
    const earlySignature = await signAuthorization(
      early.signer,
      'TransferWithAuthorization',
      early.authorization,
    );
    const lateSignature = await signAuthorization(
      late.signer,
      'TransferWithAuthorization',
      late.authorization,
    );
    await anvil.testClient.setNextBlockTimestamp({ timestamp: validBefore - 1n });
    const receipt = await waitFor(transferWithAuthorization(early.authorization, earlySignature));
    expect((await anvil.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp).toBe(
      validBefore - 1n,
    );
    await anvil.testClient.setNextBlockTimestamp({ timestamp: validBefore });
    await expectReason(
      transferWithAuthorization(late.authorization, lateSignature),
      'FiatTokenV2: authorization is expired',
    );
  });
});

describe('EIP-3009 signatures', () => {
  it('refuses an authorization signed by someone other than `from`', async () => {
    const { authorization } = await fundedAuthorization();
    const signature = await signAuthorization(newAuthorizer(), 'TransferWithAuthorization', authorization);
    await expectReason(transferWithAuthorization(authorization, signature), 'FiatTokenV2: invalid signature');
    expect(await balanceOf(authorization.from)).toBe(authorization.value);
  });

  it('refuses an authorization whose terms differ from what was signed', async () => {
    const { signer, authorization } = await fundedAuthorization();
    const signature = await signAuthorization(signer, 'TransferWithAuthorization', authorization);
    await expectReason(
      transferWithAuthorization({ ...authorization, value: authorization.value - 1n }, signature),
      'FiatTokenV2: invalid signature',
    );
  });

  it('refuses a ReceiveWithAuthorization signature submitted as a transfer (distinct type hashes)', async () => {
    const { signer, authorization } = await fundedAuthorization();
    const signature = await signAuthorization(signer, 'ReceiveWithAuthorization', authorization);
    await expectReason(transferWithAuthorization(authorization, signature), 'FiatTokenV2: invalid signature');
  });

  it('refuses the high-s twin of a valid signature, as USDC does (EIP-2)', async () => {
    const { signer, authorization } = await fundedAuthorization();
    const [v, r, s] = splitSignature(
      await signAuthorization(signer, 'TransferWithAuthorization', authorization),
    );
    const twin = concat([
      r,
      numberToHex(secp256k1Order - BigInt(s), { size: 32 }),
      numberToHex(v === 27 ? 28 : 27),
    ]);
    const digest = hashTypedData({
      domain,
      types: authorizationTypes,
      primaryType: 'TransferWithAuthorization',
      message: authorization,
    });
    expect(await recoverAddress({ hash: digest, signature: twin })).toBe(signer.address);
    await expectReason(
      transferWithAuthorization(authorization, twin),
      "ECRecover: invalid signature 's' value",
    );
  });

  it('refuses a transfer above the balance and to the zero address, leaving the nonce unused', async () => {
    const { signer, authorization } = await fundedAuthorization();
    const tooMuch = { ...authorization, value: authorization.value + 1n };
    await expectReason(
      transferWithAuthorization(
        tooMuch,
        await signAuthorization(signer, 'TransferWithAuthorization', tooMuch),
      ),
      'ERC20: transfer amount exceeds balance',
    );
    const toNobody = { ...authorization, to: zeroAddress };
    await expectReason(
      transferWithAuthorization(
        toNobody,
        await signAuthorization(signer, 'TransferWithAuthorization', toNobody),
      ),
      'ERC20: transfer to the zero address',
    );
    const used = await anvil.publicClient.readContract({
      address: usdc,
      abi: TestUSDC.abi,
      functionName: 'authorizationState',
      args: [authorization.from, authorization.nonce],
    });
    expect(used).toBe(false);
  });
});

describe('EIP-3009 receiveWithAuthorization', () => {
  it('lets the payee pull the authorized amount', async () => {
    const payee = anvil.wallet(2);
    const { signer, authorization } = await fundedAuthorization({ to: payee.account.address });
    const signature = await signAuthorization(signer, 'ReceiveWithAuthorization', authorization);
    const before = await balanceOf(payee.account.address);
    const receipt = await waitFor(
      payee.writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'receiveWithAuthorization',
        args: [...authorizationArgs(authorization), ...splitSignature(signature)],
      }),
    );
    expect(await balanceOf(payee.account.address)).toBe(before + authorization.value);
    const events = parseEventLogs({ abi: TestUSDC.abi, logs: receipt.logs, eventName: 'AuthorizationUsed' });
    expect(events.map((event) => event.args)).toEqual([
      { authorizer: signer.address, nonce: authorization.nonce },
    ]);
  });

  it('refuses a caller who is not the payee, in both signature forms (EIP-3009 §Use with smart contracts)', async () => {
    const payee = anvil.wallet(2).account.address;
    const frontRunner = anvil.wallet(1);
    const { signer, authorization } = await fundedAuthorization({ to: payee });
    const signature = await signAuthorization(signer, 'ReceiveWithAuthorization', authorization);
    await expectReason(
      frontRunner.writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'receiveWithAuthorization',
        args: [...authorizationArgs(authorization), ...splitSignature(signature)],
      }),
      'FiatTokenV2: caller must be the payee',
    );
    await expectReason(
      frontRunner.writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'receiveWithAuthorization',
        args: [...authorizationArgs(authorization), signature],
      }),
      'FiatTokenV2: caller must be the payee',
    );
  });

  it('refuses a TransferWithAuthorization signature submitted by the payee', async () => {
    const payee = anvil.wallet(2);
    const { signer, authorization } = await fundedAuthorization({ to: payee.account.address });
    const signature = await signAuthorization(signer, 'TransferWithAuthorization', authorization);
    await expectReason(
      payee.writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'receiveWithAuthorization',
        args: [...authorizationArgs(authorization), signature],
      }),
      'FiatTokenV2: invalid signature',
    );
  });
});

describe('EIP-3009 cancelAuthorization', () => {
  function cancelAuthorization(authorizer: Address, nonce: Hex, signature: Hex) {
    return anvil.wallet(1).writeContract({
      address: usdc,
      abi: TestUSDC.abi,
      functionName: 'cancelAuthorization',
      args: [authorizer, nonce, ...splitSignature(signature)],
    });
  }

  it('cancels an unused authorization, emits AuthorizationCanceled, and the authorization is then refused', async () => {
    const { signer, authorization } = await fundedAuthorization();
    const receipt = await waitFor(
      cancelAuthorization(
        signer.address,
        authorization.nonce,
        await signCancel(signer, signer.address, authorization.nonce),
      ),
    );
    const events = parseEventLogs({ abi: TestUSDC.abi, logs: receipt.logs });
    expect(events.map((event) => [event.eventName, event.args])).toEqual([
      ['AuthorizationCanceled', { authorizer: signer.address, nonce: authorization.nonce }],
    ]);
    const signature = await signAuthorization(signer, 'TransferWithAuthorization', authorization);
    await expectReason(
      transferWithAuthorization(authorization, signature),
      'FiatTokenV2: authorization is used or canceled',
    );
    expect(await balanceOf(signer.address)).toBe(authorization.value);
  });

  it('refuses to cancel twice, or to cancel a used authorization', async () => {
    const signer = newAuthorizer();
    const nonce = randomNonce();
    const cancel = await signCancel(signer, signer.address, nonce);
    await waitFor(cancelAuthorization(signer.address, nonce, cancel));
    await expectReason(
      cancelAuthorization(signer.address, nonce, cancel),
      'FiatTokenV2: authorization is used or canceled',
    );
    const used = await fundedAuthorization();
    await waitFor(
      transferWithAuthorization(
        used.authorization,
        await signAuthorization(used.signer, 'TransferWithAuthorization', used.authorization),
      ),
    );
    await expectReason(
      cancelAuthorization(
        used.signer.address,
        used.authorization.nonce,
        await signCancel(used.signer, used.signer.address, used.authorization.nonce),
      ),
      'FiatTokenV2: authorization is used or canceled',
    );
  });

  it('refuses a cancellation not signed by the authorizer', async () => {
    const authorizer = newAuthorizer().address;
    const nonce = randomNonce();
    await expectReason(
      cancelAuthorization(authorizer, nonce, await signCancel(newAuthorizer(), authorizer, nonce)),
      'FiatTokenV2: invalid signature',
    );
  });
});

describe('EIP-3009 bytes-signature forms', () => {
  it('transfers, receives and cancels with a 65-byte signature', async () => {
    const transfer = await fundedAuthorization();
    await waitFor(
      anvil.wallet(1).writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'transferWithAuthorization',
        args: [
          ...authorizationArgs(transfer.authorization),
          await signAuthorization(transfer.signer, 'TransferWithAuthorization', transfer.authorization),
        ],
      }),
    );
    expect(await balanceOf(transfer.authorization.to)).toBe(transfer.authorization.value);

    const payee = anvil.wallet(2);
    const receive = await fundedAuthorization({ to: payee.account.address });
    const before = await balanceOf(payee.account.address);
    await waitFor(
      payee.writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'receiveWithAuthorization',
        args: [
          ...authorizationArgs(receive.authorization),
          await signAuthorization(receive.signer, 'ReceiveWithAuthorization', receive.authorization),
        ],
      }),
    );
    expect(await balanceOf(payee.account.address)).toBe(before + receive.authorization.value);

    const signer = newAuthorizer();
    const nonce = randomNonce();
    const receipt = await waitFor(
      anvil.wallet(1).writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'cancelAuthorization',
        args: [signer.address, nonce, await signCancel(signer, signer.address, nonce)],
      }),
    );
    const events = parseEventLogs({
      abi: TestUSDC.abi,
      logs: receipt.logs,
      eventName: 'AuthorizationCanceled',
    });
    expect(events.map((event) => event.args)).toEqual([{ authorizer: signer.address, nonce }]);
  });

  it('refuses a signature of the wrong length, and a cancellation signed by another', async () => {
    const { signer, authorization } = await fundedAuthorization();
    const signature = await signAuthorization(signer, 'TransferWithAuthorization', authorization);
    await expectReason(
      anvil.wallet(1).writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'transferWithAuthorization',
        args: [...authorizationArgs(authorization), concat([signature, '0x00'])],
      }),
      'ECRecover: invalid signature length',
    );
    await expectReason(
      anvil.wallet(1).writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'cancelAuthorization',
        args: [
          signer.address,
          authorization.nonce,
          await signCancel(newAuthorizer(), signer.address, authorization.nonce),
        ],
      }),
      'FiatTokenV2: invalid signature',
    );
  });
});

describe('ERC-1271 contract wallets', () => {
  let walletOwner: PrivateKeyAccount;
  let wallet: Address;

  beforeAll(async () => {
    walletOwner = newAuthorizer();
    wallet = await deploy(ERC1271Wallet.abi, ERC1271Wallet.bytecode, walletOwner.address);
    await mintUsdc(wallet, 10_000_000n);
  });

  it('authorizes a transfer when the wallet owner signs, in both signature forms', async () => {
    const recipient = newAuthorizer().address;
    const first: Authorization = {
      from: wallet,
      to: recipient,
      value: 1_000n,
      validAfter: 0n,
      validBefore: farFuture,
      nonce: randomNonce(),
    };
    await waitFor(
      anvil.wallet(1).writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'transferWithAuthorization',
        args: [
          ...authorizationArgs(first),
          await signAuthorization(walletOwner, 'TransferWithAuthorization', first),
        ],
      }),
    );
    const second = { ...first, nonce: randomNonce() };
    await waitFor(
      transferWithAuthorization(
        second,
        await signAuthorization(walletOwner, 'TransferWithAuthorization', second),
      ),
    );
    expect(await balanceOf(recipient)).toBe(2_000n);
  });

  it('refuses a transfer signed by someone other than the wallet owner', async () => {
    const authorization: Authorization = {
      from: wallet,
      to: newAuthorizer().address,
      value: 1_000n,
      validAfter: 0n,
      validBefore: farFuture,
      nonce: randomNonce(),
    };
    const signature = await signAuthorization(newAuthorizer(), 'TransferWithAuthorization', authorization);
    await expectReason(transferWithAuthorization(authorization, signature), 'FiatTokenV2: invalid signature');
  });

  it('cancels an authorization when the wallet owner signs', async () => {
    const nonce = randomNonce();
    await waitFor(
      anvil.wallet(1).writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'cancelAuthorization',
        args: [wallet, nonce, await signCancel(walletOwner, wallet, nonce)],
      }),
    );
    const state = await anvil.publicClient.readContract({
      address: usdc,
      abi: TestUSDC.abi,
      functionName: 'authorizationState',
      args: [wallet, nonce],
    });
    expect(state).toBe(true);
  });

  it('grants an EIP-2612 allowance when the wallet owner signs a permit', async () => {
    const spender = newAuthorizer().address;
    const message = { owner: wallet, spender, value: 5n, nonce: 0n, deadline: farFuture };
    const signature = await walletOwner.signTypedData({
      domain,
      types: permitTypes,
      primaryType: 'Permit',
      message,
    });
    await waitFor(
      anvil.wallet(1).writeContract({
        address: usdc,
        abi: TestUSDC.abi,
        functionName: 'permit',
        args: [wallet, spender, 5n, farFuture, signature],
      }),
    );
    const allowance = await anvil.publicClient.readContract({
      address: usdc,
      abi: TestUSDC.abi,
      functionName: 'allowance',
      args: [wallet, spender],
    });
    expect(allowance).toBe(5n);
  });
});

describe('EIP-2612 permit', () => {
  type Permit = { owner: Address; spender: Address; value: bigint; nonce: bigint; deadline: bigint };

  function newPermit(owner: PrivateKeyAccount, deadline: bigint): Permit {
    return {
      owner: owner.address,
      spender: anvil.wallet(1).account.address,
      value: 42n,
      nonce: 0n,
      deadline,
    };
  }

  function usdcPermit(permit: Permit, signature: Hex) {
    return anvil.wallet(1).writeContract({
      address: usdc,
      abi: TestUSDC.abi,
      functionName: 'permit',
      args: [permit.owner, permit.spender, permit.value, permit.deadline, ...splitSignature(signature)],
    });
  }

  function daiPermit(permit: Permit, signature: Hex) {
    return anvil.wallet(1).writeContract({
      address: dai,
      abi: TestDAI.abi,
      functionName: 'permit',
      args: [permit.owner, permit.spender, permit.value, permit.deadline, ...splitSignature(signature)],
    });
  }

  function signPermit(
    signer: PrivateKeyAccount,
    tokenDomain: TypedDataDomain,
    message: Permit,
  ): Promise<Hex> {
    return signer.signTypedData({ domain: tokenDomain, types: permitTypes, primaryType: 'Permit', message });
  }

  it('USDC: grants the allowance on the shared "USD Coin" v2 domain, valid in the deadline second, each nonce once', async () => {
    const owner = newAuthorizer();
    const deadline = (await latestTimestamp()) + 100n;
    const permit = newPermit(owner, deadline);
    const signature = await signPermit(owner, domain, permit);
    await anvil.testClient.setNextBlockTimestamp({ timestamp: deadline });
    await waitFor(usdcPermit(permit, signature));
    const read = { address: usdc, abi: TestUSDC.abi } as const;
    expect(
      await anvil.publicClient.readContract({
        ...read,
        functionName: 'allowance',
        args: [owner.address, permit.spender],
      }),
    ).toBe(42n);
    expect(
      await anvil.publicClient.readContract({ ...read, functionName: 'nonces', args: [owner.address] }),
    ).toBe(1n);
    const second = { ...newPermit(owner, farFuture), value: 7n, nonce: 1n };
    const secondSignature = await signPermit(owner, domain, second);
    await waitFor(usdcPermit(second, secondSignature));
    await expectReason(usdcPermit(second, secondSignature), 'EIP2612: invalid signature');
  });

  it('USDC: refuses a permit past its deadline, or signed by another', async () => {
    const owner = newAuthorizer();
    const deadline = (await latestTimestamp()) + 100n;
    const permit = newPermit(owner, deadline);
    await anvil.testClient.setNextBlockTimestamp({ timestamp: deadline + 1n });
    await expectReason(
      usdcPermit(permit, await signPermit(owner, domain, permit)),
      'FiatTokenV2: permit is expired',
    );
    const open = newPermit(owner, farFuture);
    await expectReason(
      usdcPermit(open, await signPermit(newAuthorizer(), domain, open)),
      'EIP2612: invalid signature',
    );
  });

  it('DAI: grants the allowance, and refuses an expired permit or another signer', async () => {
    const daiDomain = {
      name: 'Dai Stablecoin',
      version: '1',
      chainId: anvil.publicClient.chain.id,
      verifyingContract: dai,
    };
    const owner = newAuthorizer();
    const permit = newPermit(owner, farFuture);
    await waitFor(daiPermit(permit, await signPermit(owner, daiDomain, permit)));
    expect(
      await anvil.publicClient.readContract({
        address: dai,
        abi: TestDAI.abi,
        functionName: 'allowance',
        args: [owner.address, permit.spender],
      }),
    ).toBe(42n);
    const deadline = (await latestTimestamp()) + 100n;
    const late = { ...newPermit(owner, deadline), nonce: 1n };
    await anvil.testClient.setNextBlockTimestamp({ timestamp: deadline + 1n });
    await expectRevert(daiPermit(late, await signPermit(owner, daiDomain, late)), 'ERC2612ExpiredSignature', [
      deadline,
    ]);
    const stranger = newAuthorizer();
    const forged = { ...newPermit(owner, farFuture), nonce: 1n };
    await expectRevert(
      daiPermit(forged, await signPermit(stranger, daiDomain, forged)),
      'ERC2612InvalidSigner',
      [stranger.address, owner.address],
    );
  });
});

describe('TestDAI', () => {
  it('presents itself as DAI: name, symbol, 18 decimals', async () => {
    const read = (functionName: 'name' | 'symbol' | 'decimals') =>
      anvil.publicClient.readContract({ address: dai, abi: TestDAI.abi, functionName });
    expect(await read('name')).toBe('Dai Stablecoin');
    expect(await read('symbol')).toBe('DAI');
    expect(await read('decimals')).toBe(18);
  });

  it('mints only for its owner', async () => {
    const holder = newAuthorizer().address;
    const mint = (index: number) =>
      anvil
        .wallet(index)
        .writeContract({ address: dai, abi: TestDAI.abi, functionName: 'mint', args: [holder, 10n ** 18n] });
    await waitFor(mint(0));
    expect(
      await anvil.publicClient.readContract({
        address: dai,
        abi: TestDAI.abi,
        functionName: 'balanceOf',
        args: [holder],
      }),
    ).toBe(10n ** 18n);
    await expectRevert(mint(1), 'OwnableUnauthorizedAccount', [anvil.wallet(1).account.address]);
  });
});
