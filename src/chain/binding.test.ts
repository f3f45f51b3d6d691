import { describe, expect, it } from 'vitest';
import { startTestChain } from '../../test/support/chain';
import { freshDatabase } from '../../test/support/database';
import { TestClock } from '../core/clock';
import { bindChain, ChainMismatchError, chainIdentity } from './binding';

describe('one database, one chain', () => {
  it('records the first chain, accepts it again and a token added later, and refuses another naming both', async () => {
    const [database, served, other] = await Promise.all([
      freshDatabase(),
      startTestChain(),
      startTestChain(),
    ]);
    const clock = new TestClock();
    const { USDC, DAI } = served.deployment.tokens;
    const first = await bindChain(database.db, clock, served.client, {
      ...served.deployment,
      tokens: { USDC },
    });
    expect(first).toEqual(await chainIdentity(served.client, { ...served.deployment, tokens: { USDC } }));
    expect(first.tokens).toEqual({ USDC: USDC.address.toLowerCase() });

    const again = await bindChain(database.db, clock, served.client, served.deployment);
    expect(again.tokens).toEqual({ USDC: USDC.address.toLowerCase(), ...again.tokens });
    expect(again.tokens.DAI).toBe(DAI?.address.toLowerCase());

    const refused = await bindChain(database.db, clock, other.client, other.deployment).catch((e) => e);
    expect(refused).toBeInstanceOf(ChainMismatchError);
    const connected = await chainIdentity(other.client, other.deployment);
    expect(refused.message).toBe(
      `this database serves chain 31337 (genesis ${first.genesisHash}, USDC ${first.tokens.USDC}), ` +
        `but the chain connected now is chain 31337 (genesis ${connected.genesisHash}, USDC ${connected.tokens.USDC}). ` +
        'Point CHAIN_RPC_URL at the chain this database serves, or use another database. Several processes ' +
        'share the embedded chain when one runs it and the others set CHAIN_RPC_URL to its URL.',
    );
    // The record is the first chain's still.
    expect(await bindChain(database.db, clock, served.client, served.deployment)).toEqual(again);
  });

  it('refuses the same chain with a token at another address', async () => {
    const [database, served] = await Promise.all([freshDatabase(), startTestChain()]);
    const clock = new TestClock();
    await bindChain(database.db, clock, served.client, served.deployment);
    const moved = {
      ...served.deployment,
      tokens: {
        ...served.deployment.tokens,
        USDC: { ...served.deployment.tokens.USDC, address: served.treasury.address },
      },
    };
    await expect(bindChain(database.db, clock, served.client, moved)).rejects.toBeInstanceOf(
      ChainMismatchError,
    );
  });
});
