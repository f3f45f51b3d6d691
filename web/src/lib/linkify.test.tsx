import { isValidElement } from 'react';
import { describe, expect, it } from 'vitest';
import { linkify } from './linkify';

const hrefs = (text: string) =>
  linkify(text).flatMap((part) => (isValidElement<{ href: string }>(part) ? [part.props.href] : []));

describe('linkify', () => {
  it('finds the links in a mail and leaves the text around them', () => {
    const text = 'Confirm your email address: http://localhost:3000/verify-email?token=abc_123.\n\nThanks';
    expect(hrefs(text)).toEqual(['http://localhost:3000/verify-email?token=abc_123']);
    expect(linkify(text)[0]).toBe('Confirm your email address: ');
    expect(linkify(text).at(-1)).toBe('.\n\nThanks');
  });

  it('keeps text with no link as it is', () => {
    expect(linkify('no links here')).toEqual(['no links here']);
  });

  it('finds several links', () => {
    expect(hrefs('Log in: https://a.test/login\nForgot? https://a.test/forgot-password')).toEqual([
      'https://a.test/login',
      'https://a.test/forgot-password',
    ]);
  });
});
