// The addresses a phone on the LAN can open the phone page at. With --host 0.0.0.0 (or ::) the
// server answers on every interface, but "0.0.0.0" is no address a phone can dial: list this
// machine's LAN addresses instead. Loopback hosts have none (a phone cannot reach them).
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { isLoopbackHost } from '../security/exposure.js';

/** The LAN addresses the server is reachable at, for a bind host. */
export function lanAddresses(host: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  if (isLoopbackHost(host)) return [];
  if (host !== '0.0.0.0' && host !== '::') return [host];
  const out: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      // IPv4 always; IPv6 only when bound to :: and not link-local (fe80:: needs a zone id a phone cannot type).
      if (a.family === 'IPv4' || (host === '::' && !a.address.toLowerCase().startsWith('fe80'))) out.push(a.address);
    }
  }
  return [...new Set(out)];
}

/** https://<address>:<port>/phone/ with ?token= when given (the page keeps it as a cookie). */
export function phonePageUrls(addresses: readonly string[], port: number, secure: boolean, token?: string): string[] {
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return addresses.map((a) => `${secure ? 'https' : 'http'}://${a.includes(':') ? `[${a}]` : a}:${port}/phone/${query}`);
}
