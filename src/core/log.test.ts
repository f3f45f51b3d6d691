import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

function captured() {
  const lines: string[] = [];
  const log = createLogger('info', { write: (line: string) => void lines.push(line) });
  return { log, text: () => lines.join('') };
}

describe('the log', () => {
  it('never prints a secret: not under its name, not in an error, not by its shape', () => {
    const { log, text } = captured();
    const secret = `whsec_${'a'.repeat(40)}`;
    const key = `tally_key_${'b'.repeat(40)}`;
    const privateKey = `0x${'c'.repeat(64)}`;
    log.info(
      { password: 'hunter2 is long', secret: 'plain', apiKey: key, nested: { token: 'abc' } },
      'login',
    );
    log.error({ err: new Error(`insert failed: params ($1, ${secret}, ${privateKey})`) }, 'unhandled error');
    log.info({ path: '/api/auth/reset?token=mailed-token-123&x=1', header: `Bearer ${key}` }, 'request');
    log.info({ path: '/api/invitations/AbCdEfGhIjKlMnOpQrStUv0123/accept' }, 'request');
    const out = text();
    for (const leaked of ['hunter2', 'plain', key, 'abc"', secret, privateKey, 'mailed-token-123']) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain('insert failed: params ($1, whsec_[redacted], 0x[redacted])');
    expect(out).toContain('/api/auth/reset?token=[redacted]&x=1');
    expect(out).toContain('/api/invitations/[redacted]/accept');
    expect(out).not.toContain('AbCdEfGhIjKlMnOpQrStUv0123');
    expect(out).toContain('"password":"[redacted]"');
  });

  it('keeps what is not a secret', () => {
    const { log, text } = captured();
    log.info({ method: 'POST', path: '/api/credits/charge', status: 200, tokens: 3 }, 'request');
    expect(JSON.parse(text())).toMatchObject({ method: 'POST', path: '/api/credits/charge', status: 200 });
  });
});
