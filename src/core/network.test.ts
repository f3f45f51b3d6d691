import { describe, expect, it } from 'vitest';
import { assertPublicUrl, isPrivateAddress } from './network';

describe('private addresses', () => {
  it('are loopback, private, link-local, CGNAT, multicast and reserved, in v4, v6 and v4-mapped v6', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'not an address',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.4.4']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('refuse a URL whose host is or resolves to one, unless the installation allows them', async () => {
    const resolve = async (host: string) =>
      ({ 'public.example': ['93.184.216.34'], 'inside.example': ['93.184.216.34', '10.0.0.7'] })[host] ?? [];
    const check = (url: string, allowPrivate = false) =>
      assertPublicUrl(url, { allowPrivate, field: 'upstream_url', resolve });
    await expect(check('https://public.example/mcp')).resolves.toBeUndefined();
    await expect(check('https://inside.example/mcp')).rejects.toThrow('private network (10.0.0.7)');
    await expect(check('http://169.254.169.254/latest/meta-data')).rejects.toMatchObject({
      code: 'validation_failed',
      details: { field: 'upstream_url' },
    });
    await expect(check('http://[::1]:8080/mcp')).rejects.toThrow('private network');
    await expect(check('https://nowhere.example/mcp')).rejects.toThrow('private network (none)');
    await expect(check('http://127.0.0.1:3000/mcp', true)).resolves.toBeUndefined();
  });
});
