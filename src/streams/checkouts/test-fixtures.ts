import type { Address, Hex } from 'viem';
import { expect } from 'vitest';
import {
  type Body,
  read,
  request,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { settleChain } from '../../../test/support/chain';
import { devAccounts } from '../../chain/runtime';
import { sendCall } from '../chain/call';
import { type StreamsChain, startStreamsChain } from '../chain/test-fixtures';

/**
 * A subscriber's wallet doing what Tally's checkout asks (`POST /checkouts/{id}/wallet-steps`), as
 * the web app does it with a browser wallet: the permit signed first when there is one, then every
 * transaction, then the follower given the chain's blocks.
 */
export function walletCheckouts(tally: TestTally, chain: StreamsChain) {
  async function ok(status: number, as: TestPerson, method: string, path: string, body?: unknown) {
    const response = await request(tally, method, path, { as, body });
    const answer = await read(response);
    expect(response.status, JSON.stringify(answer)).toBe(status);
    return answer as Body;
  }

  /** Signs the answer's permit with the wallet, as eth_signTypedData_v4 does. */
  async function signPermit(
    wallet: number,
    typedData: Body,
  ): Promise<{ value: string; deadline: string; signature: Hex }> {
    const { domain, types, message } = typedData;
    const signature = await chain.wallet(wallet).signTypedData({
      domain: { ...domain, verifyingContract: domain.verifyingContract as Address },
      types,
      primaryType: 'Permit',
      message: {
        owner: message.owner as Address,
        spender: message.spender as Address,
        value: BigInt(message.value),
        nonce: BigInt(message.nonce),
        deadline: BigInt(message.deadline),
      },
    });
    return { value: message.value, deadline: message.deadline, signature };
  }

  /** Does what the answer's prompts ask with development account `wallet`; returns how many prompts it took. */
  async function followPrompts(consumer: TestPerson, checkoutId: string, wallet: number, first: Body) {
    let steps = first;
    let prompts = 0;
    if (steps.prompts[0]?.kind === 'sign_permit') {
      const permit = await signPermit(wallet, steps.prompts[0].typed_data);
      prompts++;
      steps = await ok(200, consumer, 'POST', `/api/streams/checkouts/${checkoutId}/wallet-steps`, {
        permit,
      });
    }
    for (const prompt of steps.prompts) {
      expect(prompt.kind).toBe('send');
      await sendCall(chain.publicClient, chain.wallet(wallet), prompt.transaction);
      prompts++;
    }
    await settleChain(tally);
    return prompts;
  }

  /** A checkout of the plan for the wallet, carried through; returns the checkout as it then stands. */
  async function checkOut(
    consumer: TestPerson,
    planId: string,
    wallet: number,
    address: Address,
    extra: Body = {},
  ) {
    const checkout = await ok(201, consumer, 'POST', `/api/streams/plans/${planId}/checkouts`, {
      subscriber_address: address,
      ...extra,
    });
    const steps = await ok(200, consumer, 'POST', `/api/streams/checkouts/${checkout.id}/wallet-steps`, {});
    const prompts = await followPrompts(consumer, checkout.id, wallet, steps);
    return {
      checkout: await ok(200, consumer, 'GET', `/api/streams/checkouts/${checkout.id}`),
      steps,
      prompts,
    };
  }

  return { ok, signPermit, followPrompts, checkOut };
}

/** Development account `index`'s address. */
export const devAddress = (index: number) => devAccounts()[index]!.address as Address;

/** A Tally on a fresh embedded chain (real time: the chain's blocks carry it), with the wallet's helpers. */
export async function streamsChainTally() {
  const chain = await startStreamsChain();
  const tally = await testTally({ chain: chain.chain, start: new Date().toISOString() });
  return { chain, tally, helpers: walletCheckouts(tally, chain) };
}
