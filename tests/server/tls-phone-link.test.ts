// Which LAN URLs a phone is offered, per bind host and interfaces; the token the terminal's QR
// code carries (one that may stream); the terminal's QR code reads back as the URL.
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { lanAddresses, phonePageUrls } from '../../server/phone-link/phone-urls.js';
import { streamingToken } from '../../server/phone-link/phone-token.js';
import { terminalQr } from '../../server/phone-link/qr-code.js';
import { decodeQr } from '../client/support/qr-decode.js';

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

describe('terminal QR code', () => {
  it('decodes back to the URL (half-block characters read as two rows of modules each)', async () => {
    const url = 'https://192.168.1.20:8443/phone/?token=phone-token-abcdef123456';
    const text = await terminalQr(url);
    // Black on white: '█' both halves dark, '▀' upper, '▄' lower, ' ' none. The last lines only
    // close the quiet zone (white halves in another colour); a white margin is added instead.
    const rows = text
      .split('\n')
      .map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''))
      .filter((line) => line.length > 0 && /[█▄ ]/.test(line));
    const width = Math.max(...rows.map((r) => r.length));
    const scale = 8;
    const margin = 4;
    const w = (width + 2 * margin) * scale;
    const h = (rows.length * 2 + 2 * margin) * scale;
    const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
    rows.forEach((line, r) => {
      [...line].forEach((ch, c) => {
        const halves = [ch === '█' || ch === '▀', ch === '█' || ch === '▄'];
        halves.forEach((dark, half) => {
          if (!dark) return;
          for (let y = 0; y < scale; y++) {
            for (let x = 0; x < scale; x++) {
              const py = (margin + r * 2 + half) * scale + y;
              const px = (margin + c) * scale + x;
              rgba.fill(0, (py * w + px) * 4, (py * w + px) * 4 + 3);
            }
          }
        });
      });
    });
    expect(decodeQr(rgba, w, h)).toBe(url);
  });
});
