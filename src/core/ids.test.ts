import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isUuid, isUuidV7, newId } from './ids';

/** RFC 9562 layout of a version 7 UUID with the RFC variant, lowercase as generated. */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix milliseconds a UUIDv7 carries in its first 48 bits. */
const timestampOf = (id: string): number => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newId', () => {
  it('makes valid, distinct UUIDv7 ids', () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    for (const id of ids) {
      expect(id).toMatch(UUID_V7);
      expect(isUuid(id)).toBe(true);
      expect(isUuidV7(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries the creation time in the id', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(after);
  });

  it('sorts ids made within the same millisecond in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    // many of them really did share a millisecond, so the order comes from more than the timestamp
    expect(new Set(ids.map(timestampOf)).size).toBeLessThan(ids.length);
  });

  it('sorts ids made in later milliseconds after earlier ones', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(newId());
      const last = timestampOf(ids[ids.length - 1]!);
      while (Date.now() <= last) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const stamps = ids.map(timestampOf);
    for (let i = 1; i < ids.length; i++) {
      expect(stamps[i]!).toBeGreaterThan(stamps[i - 1]!);
      expect(ids[i]! > ids[i - 1]!).toBe(true);
    }
  });
});

describe('isUuid and isUuidV7', () => {
  it('accepts any UUID as a UUID but only version 7 as a v7', () => {
    const v4 = randomUUID();
    expect(isUuid(v4)).toBe(true);
    expect(isUuidV7(v4)).toBe(false);
  });

  it.each([
    '',
    'not-a-uuid',
    '0190b6a1-7c2f-7000-8000',
    '0190b6a1-7c2f-7000-8000-00000000000g',
    `${newId()}0`,
  ])('rejects %j', (value) => {
    expect(isUuid(value)).toBe(false);
    expect(isUuidV7(value)).toBe(false);
  });
});
