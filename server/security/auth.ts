// Who may use the server: a shared-secret token, presented as `Authorization: Bearer <token>`,
// `?token=<token>`, the `sensorium_token` cookie (set when a page was opened with a valid
// ?token=, so the browser client's sockets and fetches carry it without knowing about it), or,
// on /ws/device and /ws/dashboard, in the first frame (`hello.token`, `subscribe.token`).
// With no tokens configured the server is open (allowed only on loopback: see exposure.ts).
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'sensorium_token';
/** Longest token accepted anywhere (longer ones are refused before comparing). */
export const MAX_TOKEN_LENGTH = 256;

export class Auth {
  /** SHA-256 digests of the tokens: equal-length buffers for constant-time comparison. */
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.filter((t) => t.length > 0).map(digest);
  }

  /** False when no token is configured (open server). */
  get required(): boolean {
    return this.digests.length > 0;
  }

  /** True when no token is required, or `token` is one of the configured ones. */
  accepts(token: unknown): boolean {
    if (!this.required) return true;
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return false;
    const d = digest(token);
    let ok = false;
    for (const known of this.digests) ok = timingSafeEqual(d, known) || ok; // no early exit
    return ok;
  }

  /** The token a request carries (header, then query, then cookie), if any. */
  tokenOf(req: Pick<IncomingMessage, 'headers' | 'url'>): string | undefined {
    const header = req.headers.authorization;
    if (typeof header === 'string') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (m) return m[1];
    }
    const query = queryToken(req.url);
    if (query !== undefined) return query;
    return cookieValue(req.headers.cookie, TOKEN_COOKIE);
  }

  /** Whether an HTTP request or WebSocket upgrade carries an accepted token (always, when open). */
  authorizes(req: Pick<IncomingMessage, 'headers' | 'url'>): boolean {
    return !this.required || this.accepts(this.tokenOf(req));
  }
}

/** `?token=` of a request URL (undefined when absent). */
export function queryToken(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  try {
    return new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined;
  } catch {
    return undefined;
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The Set-Cookie value remembering a token for the browser client (same site only, not readable by scripts). */
export function tokenCookie(token: string, secure: boolean): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
