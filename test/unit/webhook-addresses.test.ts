import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { guardedLookup } from '../../src/modules/webhooks/transport';
import { addressRange, hostRefusal, parseAllowedHosts, refusedAddress } from '../../src/modules/webhooks/validation';

describe('webhook target addresses', () => {
  it('refuses every address that is not public, IPv4 carried in IPv6 judged as IPv4, and nothing else', () => {
    const refused = [
      '127.0.0.1',
      '127.255.0.1',
      '::1',
      '::ffff:127.0.0.1',
      '::127.0.0.1', // loopback
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '::ffff:10.0.0.1', // RFC 1918
      '100.64.0.1',
      '100.100.100.200',
      '100.127.255.255', // CGNAT (Alibaba Cloud's metadata)
      '192.0.0.1',
      '192.0.0.192', // IETF protocol assignments (Oracle Cloud's metadata)
      '169.254.169.254',
      '169.254.0.1',
      'fe80::1',
      'febf::ffff', // link-local
      'fd00:ec2::254',
      'fc00::1', // unique local (AWS's IPv6 metadata)
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::7f00:1', // NAT64
      '::a9fe:a9fe',
      '::169.254.169.254',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe', // IPv4-compatible and mapped
      '224.0.0.1',
      '239.255.255.250',
      'ff02::1', // multicast
      '0.0.0.0',
      '0.1.2.3',
      '::',
      '255.255.255.255',
      '240.0.0.1',
      '192.0.2.1',
      '198.18.0.1',
      '2001:db8::1', // reserved
    ];
    for (const address of refused) expect(refusedAddress(address), address).toBe(true);
    for (const address of [
      '93.184.215.14',
      '8.8.8.8',
      '169.255.0.1',
      '100.128.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      'example.com',
      '',
    ]) {
      expect(refusedAddress(address), address).toBe(false);
    }
    expect(addressRange('[::169.254.169.254]')).toBe('linkLocal');
    expect(addressRange('example.com')).toBeNull();
  });

  it('refuses localhost by name; lets WEBHOOK_ALLOWED_HOSTS decide when it is set', () => {
    expect(hostRefusal('169.254.169.254', [])).toBe(
      'the address 169.254.169.254 is not a public address (linkLocal); name it in WEBHOOK_ALLOWED_HOSTS to allow it',
    );
    expect(hostRefusal('[FE80::1]', [])).toMatch(/fe80::1 is not a public address \(linkLocal\)/);
    expect(hostRefusal('localhost', [])).toMatch(/localhost is this machine/);
    expect(hostRefusal('LOCALHOST.', [])).toMatch(/localhost is this machine/);
    expect(hostRefusal('api.localhost', [])).toMatch(/loopback/);
    expect(hostRefusal('hooks.example.com', [])).toBeNull();
    expect(hostRefusal('169.254.169.254', ['169.254.169.254'])).toBeNull();
    expect(hostRefusal('localhost', parseAllowedHosts('localhost, [::1]'))).toBeNull();
    expect(hostRefusal('[::1]', parseAllowedHosts('localhost, [::1]'))).toBeNull();
    expect(hostRefusal('[0:0::1]', parseAllowedHosts('0:0:0::1'))).toBeNull();
    expect(hostRefusal('a.hooks.example.com', ['.hooks.example.com'])).toBeNull();
    expect(hostRefusal('example.org', ['.hooks.example.com'])).toMatch(/not in WEBHOOK_ALLOWED_HOSTS/);
  });

  it('fails a connection whose name resolves to an address that is not public, checking every address', async () => {
    const resolvingTo = (...addresses: string[]) =>
      guardedLookup((_hostname, _options, callback) =>
        callback(
          null,
          addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
        ),
      );
    const lookup = (resolve: ReturnType<typeof resolvingTo>, all: boolean) =>
      new Promise<unknown>((done) =>
        resolve('hooks.example.com', { all }, (error, address, family) => done(error ? error.message : { address, family })),
      );
    expect(await lookup(resolvingTo('93.184.216.34'), false)).toEqual({ address: '93.184.216.34', family: 4 });
    expect(await lookup(resolvingTo('93.184.216.34', '2606:2800::1'), true)).toEqual({
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800::1', family: 6 },
      ],
      family: undefined,
    });
    expect(await lookup(resolvingTo('93.184.216.34', '169.254.169.254'), false)).toBe(
      'hooks.example.com resolves to an address that is not public; name it in WEBHOOK_ALLOWED_HOSTS to allow it',
    );
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '100.100.100.200',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      'fe80::1',
    ]) {
      expect(await lookup(resolvingTo(address), true), address).toMatch(/resolves to an address that is not public/);
    }
  });
});
