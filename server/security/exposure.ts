// The server may run without tokens only where nobody else can reach it: on a loopback address.
import { isIP } from 'node:net';
import { envOf, flagOf } from '../config/options.js';

/** 127.0.0.0/8, ::1 (and its IPv4-mapped form), or the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Undefined when the combination is safe, else the message to refuse starting with. */
export function exposureProblem(host: string, tokens: readonly string[]): string | undefined {
  if (tokens.length > 0 || isLoopbackHost(host)) return undefined;
  return (
    `refusing to listen on ${host} without authentication: anyone on the network could stream to and read this server. ` +
    `Set tokens with ${envOf('authTokens')}=token1,token2 or ${flagOf('authTokens')} FILE (one token per line), ` +
    'or bind to 127.0.0.1 (the default) for local use.'
  );
}
