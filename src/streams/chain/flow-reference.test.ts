import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors';
import { newId } from '../../core/ids';
import { checkoutIdOf, flowReference } from './flow-reference';

describe('a checkout’s flow reference', () => {
  it('carries the checkout id in 20 bytes and gives it back', () => {
    const id = newId();
    const userData = flowReference(id);
    expect(userData).toMatch(/^0x[0-9a-f]{40}$/);
    expect(checkoutIdOf(userData)).toBe(id);
    expect(checkoutIdOf(flowReference(id.toUpperCase()))).toBe(id);
  });

  it('tells other apps’ userData apart', () => {
    const userData = flowReference(newId());
    expect(checkoutIdOf('0x')).toBeNull();
    expect(checkoutIdOf(`0x00${userData.slice(4)}`)).toBeNull();
    expect(checkoutIdOf(`${userData}00`)).toBeNull();
  });

  it('refuses an id that is not a UUID', () => {
    expect(() => flowReference('plan-7')).toThrow(AppError);
  });
});
