// Browser connections must come from the server's own pages (same origin) or from an origin the
// operator allowed: otherwise any web page a user visits could open a WebSocket to a server on
// their network (cross-site WebSocket hijacking). Requests without an Origin header are not
// from a browser page (simulators, curl, phones' apps) and pass; they still need a token.
import type { IncomingHttpHeaders } from 'node:http';
import { envOf } from '../config/options.js';

export class OriginPolicy {
  private readonly allowed: Set<string>;
  private readonly any: boolean;

  /** `allowed`: origins like `https://lab.example:8443`; '*' allows every origin. */
  constructor(allowed: readonly string[]) {
    this.any = allowed.includes('*');
    this.allowed = new Set(allowed.filter((o) => o !== '*').map(normalizeOrigin));
  }

  /** Undefined when allowed, else why not. */
  check(headers: IncomingHttpHeaders): string | undefined {
    const origin = headers.origin;
    if (origin === undefined || this.any) return undefined;
    if (typeof origin !== 'string' || origin === 'null') return `origin '${String(origin)}' is not allowed`;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return `origin '${origin.slice(0, 100)}' is not a URL`;
    }
    if (headers.host !== undefined && host.toLowerCase() === headers.host.toLowerCase()) return undefined; // same origin
    if (this.allowed.has(normalizeOrigin(origin))) return undefined;
    return `origin '${origin.slice(0, 100)}' is not allowed (same-origin pages, or ${envOf('allowedOrigins')})`;
  }
}

function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin.toLowerCase();
  } catch {
    return origin.toLowerCase();
  }
}
