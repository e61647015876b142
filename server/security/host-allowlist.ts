// Which Host names the server answers to: the defence against DNS rebinding. A web page on
// attacker.example can make its own name resolve to 127.0.0.1 (or the server's LAN address);
// the browser then treats the server as attacker.example's own origin, so Origin checks pass and
// the page can read recordings and open sockets. What a rebinding page cannot change is the Host
// header: it stays attacker.example. So only these names are served:
//   - loopback names and addresses (localhost, 127.0.0.0/8, [::1]), any port;
//   - the address the server is bound to;
//   - when bound to every interface (0.0.0.0, ::), any IP address (phones open the LAN address;
//     rebinding needs a DNS name, so IP literals are safe) and this machine's name (and .local);
//   - names the operator lists (the allowedHosts setting, server/config/options.ts; '*' allows any, e.g.
//     behind a reverse proxy that checks names itself).
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { envOf, flagOf } from '../config/options.js';
import { isLoopbackHost } from './exposure.js';

export interface HostPolicyOptions {
  /** The address the server listens on (config.host). */
  bindHost: string;
  /** Extra names (no port); '*' allows any Host. */
  allowedHosts: readonly string[];
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '']);

export class HostPolicy {
  private readonly any: boolean;
  private readonly names: Set<string>;
  private readonly anyIpLiteral: boolean;

  constructor({ bindHost, allowedHosts }: HostPolicyOptions) {
    this.any = allowedHosts.includes('*');
    this.names = new Set(allowedHosts.filter((h) => h !== '*').map(normalizeName));
    const bind = normalizeName(bindHost);
    this.anyIpLiteral = WILDCARD_BINDS.has(bind);
    if (this.anyIpLiteral) {
      const machine = normalizeName(hostname());
      this.names.add(machine);
      this.names.add(`${machine}.local`);
    } else {
      this.names.add(bind);
    }
  }

  /** What is served, for the start-up message: 'loopback names and addresses, any IP address, vm, vm.local'. */
  describe(): string {
    if (this.any) return `any host name (${envOf('allowedHosts')}=*)`;
    return ['loopback names and addresses', ...(this.anyIpLiteral ? ['any IP address'] : []), ...this.names].join(', ');
  }

  /** Undefined when the Host header names this server, else why not. */
  check(hostHeader: string | undefined): string | undefined {
    if (this.any) return undefined;
    if (hostHeader === undefined || hostHeader.trim() === '') return 'the request has no Host header';
    const name = hostName(hostHeader);
    if (name !== undefined && (isLoopbackHost(name) || this.names.has(name) || (this.anyIpLiteral && isIP(name) !== 0))) return undefined;
    return `host '${hostHeader.slice(0, 100)}' is not served here (loopback names, the bound address, or ${envOf('allowedHosts')} / ${flagOf('allowedHosts')})`;
  }
}

/** The name part of a Host header, lowercased, without port, brackets or a trailing dot; undefined when malformed. */
export function hostName(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  let name: string;
  let rest: string;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return undefined;
    name = h.slice(1, end);
    rest = h.slice(end + 1);
    if (isIP(name) !== 6) return undefined;
  } else {
    const colon = h.indexOf(':');
    name = colon < 0 ? h : h.slice(0, colon);
    rest = colon < 0 ? '' : h.slice(colon);
  }
  if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
  return normalizeName(name);
}

function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

/** Host names for the allow-list: DNS names or IP addresses, no scheme, port or path. */
export function isHostName(text: string): boolean {
  return text === '*' || isIP(text.replace(/^\[|\]$/g, '')) !== 0 || /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*\.?$/i.test(text);
}
