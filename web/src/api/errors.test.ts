import { describe, expect, it } from 'vitest';
import { ApiError, sentence, withoutField } from './errors';

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

describe('a message next to its field', () => {
  it('leaves out the field’s name the server starts it with', () => {
    expect(withoutField('Iban: the check digits do not match: a character is mistyped.', 'iban')).toBe(
      'The check digits do not match: a character is mistyped.',
    );
    expect(withoutField('File: the statement is required.', 'file')).toBe('The statement is required.');
    expect(withoutField('Give the producer a name.', 'name')).toBe('Give the producer a name.');
    expect(withoutField('Iban:', 'iban')).toBe('Iban:');
  });

  it('places a domain error on the field it names', () => {
    const error = new ApiError({
      status: 400,
      code: 'validation_failed',
      message: 'Iban: an IBAN of DE has 22 characters, this one 21.',
      details: { field: 'iban' },
    });
    expect(error.fieldErrors).toEqual({ iban: 'An IBAN of DE has 22 characters, this one 21.' });
  });
});
