import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { guardedLookup } from '../../src/modules/webhooks/jobs';
import { hostRefusal, refusedAddress } from '../../src/modules/webhooks/validation';

describe('webhook target addresses', () => {
  it('refuses link-local and unspecified addresses, also IPv4-mapped, and nothing else', () => {
    for (const address of ['169.254.169.254', '169.254.0.1', '0.0.0.0', '0.1.2.3', 'fe80::1', 'febf::ffff', '::', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe']) {
      expect(refusedAddress(address), address).toBe(true);
    }
    for (const address of ['127.0.0.1', '10.0.0.1', '192.168.1.1', '169.255.0.1', '::1', 'fec0::1', '2001:db8::1', 'example.com', '']) {
      expect(refusedAddress(address), address).toBe(false);
    }
  });

  it('lets WEBHOOK_ALLOWED_HOSTS decide when it is set', () => {
    expect(hostRefusal('169.254.169.254', [])).toMatch(/link-local/);
    expect(hostRefusal('[FE80::1]', [])).toMatch(/fe80::1 is link-local/);
    expect(hostRefusal('hooks.example.com', [])).toBeNull();
    expect(hostRefusal('169.254.169.254', ['169.254.169.254'])).toBeNull();
    expect(hostRefusal('a.hooks.example.com', ['.hooks.example.com'])).toBeNull();
    expect(hostRefusal('example.org', ['.hooks.example.com'])).toMatch(/not in WEBHOOK_ALLOWED_HOSTS/);
  });

  it('fails a connection whose name resolves to a refused address, checking every address', async () => {
    const resolvingTo = (...addresses: string[]) =>
      guardedLookup((_hostname, _options, callback) => callback(null, addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }))));
    const lookup = (resolve: ReturnType<typeof resolvingTo>, all: boolean) =>
      new Promise<unknown>((done) => resolve('hooks.example.com', { all }, (error, address, family) => done(error ? error.message : { address, family })));
    expect(await lookup(resolvingTo('93.184.216.34'), false)).toEqual({ address: '93.184.216.34', family: 4 });
    expect(await lookup(resolvingTo('93.184.216.34', '2606:2800::1'), true)).toEqual({ address: [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800::1', family: 6 }], family: undefined });
    expect(await lookup(resolvingTo('93.184.216.34', '169.254.169.254'), false)).toBe('hooks.example.com resolves to 169.254.169.254, a link-local or unspecified address');
    expect(await lookup(resolvingTo('fe80::1'), true)).toMatch(/resolves to fe80::1/);
  });
});
