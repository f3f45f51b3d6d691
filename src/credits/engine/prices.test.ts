import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUILT_IN_ACTIONS,
  ensureBuiltInActions,
  getActionPrice,
  listActionPrices,
  setActionPrice,
} from './prices';
import { type CreditsFixture, creditsFixture, refusal } from './test-fixtures';

let f: CreditsFixture;
beforeAll(async () => {
  f = await creditsFixture();
});

const set = (input: Parameters<typeof setActionPrice>[2]) =>
  f.db.transaction((tx) => setActionPrice(tx, f.clock, input));

describe('action prices', () => {
  it('start with the built-in actions at their defaults, and keep prices set since', async () => {
    await ensureBuiltInActions(f.db, f.clock);
    expect(await getActionPrice(f.db, 'create_workspace')).toBe(BUILT_IN_ACTIONS.create_workspace.price);
    f.clock.advance(1000);
    const changed = await set({ action: 'invite_member', price: 3n });
    expect(changed).toMatchObject({
      action: 'invite_member',
      label: BUILT_IN_ACTIONS.invite_member.label,
      price: 3n,
      builtIn: true,
      updatedAt: f.clock.now(),
    });
    await ensureBuiltInActions(f.db, f.clock);
    expect(await getActionPrice(f.db, 'invite_member')).toBe(3n);
    expect((await listActionPrices(f.db)).map((p) => p.action)).toEqual([
      'create_under_whitelabel_product',
      'create_workspace',
      'invite_member',
    ]);
  });

  it("add the host application's actions, which need a label", async () => {
    await refusal(getActionPrice(f.db, 'generate_image'), 'not_found');
    await refusal(set({ action: 'generate_image', price: 4n }), 'validation_failed');
    expect(await set({ action: 'generate_image', label: 'Generate an image', price: 4n })).toMatchObject({
      builtIn: false,
      price: 4n,
    });
    expect(await set({ action: 'generate_image', price: 0n })).toMatchObject({
      label: 'Generate an image',
      price: 0n,
    });
    expect(await getActionPrice(f.db, 'generate_image')).toBe(0n);
  });

  it('refuse bad names and negative prices', async () => {
    await refusal(set({ action: 'Generate Image', label: 'x', price: 1n }), 'validation_failed');
    await refusal(set({ action: 'post', label: 'Post', price: -1n }), 'validation_failed');
    await refusal(getActionPrice(f.db, 'post'), 'not_found');
  });
});
