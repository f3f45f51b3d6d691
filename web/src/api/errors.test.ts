import { describe, expect, it } from 'vitest';
import { sentence } from './errors';

describe('sentence', () => {
  it.each([
    ['sign in first', 'Sign in first.'],
    ['that email and password do not match an account', 'That email and password do not match an account.'],
    ['A workspace of that name exists already', 'A workspace of that name exists already.'],
    ['too many attempts; try again later', 'Too many attempts; try again later.'],
    [
      'confirm your email address first: we have sent you a new link',
      'Confirm your email address first: we have sent you a new link.',
    ],
    ['Already a sentence.', 'Already a sentence.'],
    ['is it?', 'Is it?'],
    ['  padded  ', 'Padded.'],
    // Addresses, fields and keys at the start keep their case.
    ['ada@example.com is already a member of Team', 'ada@example.com is already a member of Team.'],
    ['used_for: must not contain a NUL character', 'used_for: must not contain a NUL character.'],
    [
      'timeoutSeconds must be a non-negative 32-bit integer',
      'timeoutSeconds must be a non-negative 32-bit integer.',
    ],
    ['0x12 is not an address', '0x12 is not an address.'],
    ['', ''],
  ])('%j reads %j', (message, expected) => {
    expect(sentence(message)).toBe(expected);
  });
});
