// Which LAN URLs a phone is offered, per bind host and interfaces; the token the terminal's QR
// code carries (one that may stream).
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { lanAddresses, phonePageUrls } from '../../server/phone-link/phone-urls.js';
import { streamingToken } from '../../server/phone-link/phone-token.js';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal, netmask: '', mac: '', cidr: null }) as unknown as NetworkInterfaceInfo;
const interfaces = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('192.168.1.20', 'IPv4'), iface('fe80::1', 'IPv6'), iface('2001:db8::5', 'IPv6')],
  wlan0: [iface('10.0.0.7', 'IPv4')],
};

describe('phone page URLs', () => {
  it('lists LAN addresses for 0.0.0.0 (IPv4) and :: (IPv6 without link-local), none for loopback, the host itself otherwise', () => {
    expect(lanAddresses('0.0.0.0', interfaces)).toEqual(['192.168.1.20', '10.0.0.7']);
    expect(lanAddresses('::', interfaces)).toEqual(['192.168.1.20', '2001:db8::5', '10.0.0.7']);
    expect(lanAddresses('127.0.0.1', interfaces)).toEqual([]);
    expect(lanAddresses('localhost', interfaces)).toEqual([]);
    expect(lanAddresses('192.168.1.20', interfaces)).toEqual(['192.168.1.20']);
  });

  it('writes https URLs of /phone/ with the token encoded, IPv6 in brackets', () => {
    expect(phonePageUrls(['192.168.1.20', '2001:db8::5'], 8443, true, 'a b&c')).toEqual(['https://192.168.1.20:8443/phone/?token=a%20b%26c', 'https://[2001:db8::5]:8443/phone/?token=a%20b%26c']);
    expect(phonePageUrls(['10.0.0.7'], 8080, false)).toEqual(['http://10.0.0.7:8080/phone/']);
  });

  it('puts a device or admin token in the terminal QR code, never a viewer-only one', () => {
    expect(streamingToken(['viewer:v-token', 'device:d-token'])).toBe('d-token');
    expect(streamingToken(['plain-admin-token'])).toBe('plain-admin-token');
    expect(streamingToken(['viewer:v-token'])).toBeUndefined();
  });
});
