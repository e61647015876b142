// Which address a request comes from. Behind a reverse proxy every socket comes from the proxy,
// so per-address limits would lump all clients together; for sockets from a configured trusted
// proxy we take the client from X-Forwarded-For instead. Only exact addresses are trusted (no
// CIDR ranges) so a misconfiguration cannot hand the header to the whole internet.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** "::ffff:10.0.0.1" and "10.0.0.1" are the same IPv4 client. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice('::ffff:'.length) : a;
}

/**
 * The unit per-address limits count: an IPv4 address, or an IPv6 /64. One subscriber usually
 * gets a whole /64 (2^64 addresses), so counting single IPv6 addresses limits nobody.
 */
export function addressGroup(address: string): string {
  const a = address.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  if (isIP(a) !== 6) return address;
  const groups = (part: string) => (part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));
  const [head = '', tail] = a.split('::');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export class ClientAddress {
  private readonly trusted: ReadonlySet<string>;

  constructor(trustedProxies: readonly string[] = []) {
    this.trusted = new Set(trustedProxies.map(normalizeAddress));
  }

  get trustsProxies(): boolean {
    return this.trusted.size > 0;
  }

  /**
   * The socket's address, or, when the socket is a trusted proxy, the nearest address in
   * X-Forwarded-For that is not itself a trusted proxy (walking from the right: entries further
   * left were written by the client and cannot be believed).
   */
  of(req: Pick<IncomingMessage, 'headers' | 'socket'>): string {
    const socketAddress = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
    if (!this.trusted.has(socketAddress)) return socketAddress;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map(normalizeAddress)
      .filter((h) => h.length > 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      if (!this.trusted.has(hops[i]!)) return hops[i]!;
    }
    return hops[0] ?? socketAddress;
  }
}
