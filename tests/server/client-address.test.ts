// server/security/client-address.ts: the client behind trusted proxies.
import { describe, expect, it } from 'vitest';
import { ClientAddress, normalizeAddress } from '../../server/security/client-address.js';

const req = (remoteAddress: string, forwarded?: string | string[]) => ({
  socket: { remoteAddress } as never,
  headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
});

describe('ClientAddress', () => {
  it('uses the socket address when no proxy is trusted, whatever the header says', () => {
    expect(new ClientAddress().of(req('192.0.2.1', '203.0.113.5'))).toBe('192.0.2.1');
  });

  it('takes the nearest untrusted hop of X-Forwarded-For behind a trusted proxy', () => {
    const a = new ClientAddress(['10.0.0.1', '10.0.0.2']);
    expect(a.of(req('10.0.0.1', '203.0.113.5'))).toBe('203.0.113.5');
    expect(a.of(req('10.0.0.1', '198.51.100.7, 203.0.113.5, 10.0.0.2'))).toBe('203.0.113.5');
    expect(a.of(req('10.0.0.1', ['198.51.100.7', '203.0.113.5']))).toBe('203.0.113.5');
    expect(a.of(req('10.0.0.1'))).toBe('10.0.0.1'); // a proxy request without the header
    expect(a.of(req('192.0.2.9', '203.0.113.5'))).toBe('192.0.2.9'); // not a proxy: header ignored
  });

  it('treats IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(normalizeAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(new ClientAddress(['10.0.0.1']).of(req('::ffff:10.0.0.1', '203.0.113.5'))).toBe('203.0.113.5');
  });
});
