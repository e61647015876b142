// Who may use the server: shared-secret tokens, presented as `Authorization: Bearer <token>`,
// `?token=<token>`, the `sensorium_token` cookie (set when a page was opened with a valid
// ?token=, so the browser client's sockets and fetches carry it without knowing about it), or,
// on /ws/device and /ws/dashboard, in the first frame (`hello.token`, `subscribe.token`).
// Each token has scopes (configured as `scope:token`; a plain token is an admin token, as in
// setups from before scopes): `device` streams samples, `viewer` watches dashboards and reads
// recordings and metrics, `admin` may do everything. What each route needs: route-scopes.ts.
// With no tokens configured the server is open (allowed only on loopback: see exposure.ts).
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'sensorium_token';
/** Longest token accepted anywhere (longer ones are refused before comparing). */
export const MAX_TOKEN_LENGTH = 256;

export const SCOPES = ['device', 'viewer', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who a token belongs to: an opaque id (the same for every way the token is sent) and its scopes. */
export interface Principal {
  /** 'token-3' (the third distinct configured token), or 'open' when no token is required. */
  id: string;
  scopes: ReadonlySet<Scope>;
}

/** Everyone, on an open (loopback, no tokens) server. */
export const OPEN_PRINCIPAL: Principal = { id: 'open', scopes: new Set(SCOPES) };

/** `scope:token` → its parts; a plain token (no known scope prefix) is an admin token. Undefined scope: unknown prefix. */
export function parseTokenEntry(entry: string): { scope: Scope | undefined; token: string; prefix?: string } {
  const m = /^([a-z]+):(.*)$/.exec(entry);
  if (!m) return { scope: 'admin', token: entry };
  const prefix = m[1]!;
  return (SCOPES as readonly string[]).includes(prefix) ? { scope: prefix as Scope, token: m[2]! } : { scope: undefined, token: entry, prefix };
}

interface Known {
  digest: Buffer;
  principal: Principal;
}

export class Auth {
  /** SHA-256 digests of the tokens (equal-length buffers for constant-time comparison) with their principals. */
  private readonly known: Known[] = [];

  /** `tokens`: `scope:token` entries or plain (admin) tokens; one token may be listed with several scopes. */
  constructor(tokens: readonly string[]) {
    const byToken = new Map<string, Set<Scope>>();
    for (const entry of tokens) {
      const { scope, token } = parseTokenEntry(entry);
      if (token.length === 0) continue;
      const scopes = byToken.get(token) ?? new Set<Scope>();
      // admin holds every right; an unknown prefix (refused by config checks) grants nothing.
      if (scope === 'admin') for (const s of SCOPES) scopes.add(s);
      else if (scope) scopes.add(scope);
      byToken.set(token, scopes);
    }
    for (const [token, scopes] of byToken) this.known.push({ digest: digest(token), principal: { id: `token-${this.known.length + 1}`, scopes } });
  }

  /** False when no token is configured (open server). */
  get required(): boolean {
    return this.known.length > 0;
  }

  /** The principal of a token (OPEN_PRINCIPAL on an open server), or undefined for an unknown token. */
  identify(token: unknown): Principal | undefined {
    if (!this.required) return OPEN_PRINCIPAL;
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const d = digest(token);
    let found: Principal | undefined;
    for (const k of this.known) if (timingSafeEqual(d, k.digest)) found = k.principal; // no early exit
    return found;
  }

  /** True when no token is required, or `token` is one of the configured ones (any scope). */
  accepts(token: unknown): boolean {
    return this.identify(token) !== undefined;
  }

  /** Whether `token` may act in `scope` (always, on an open server). */
  grants(token: unknown, scope: Scope): boolean {
    return this.identify(token)?.scopes.has(scope) ?? false;
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

  /** The principal of an HTTP request or WebSocket upgrade (OPEN_PRINCIPAL when open; undefined without a valid token). */
  principalOf(req: Pick<IncomingMessage, 'headers' | 'url'>): Principal | undefined {
    return this.identify(this.tokenOf(req));
  }

  /** Whether an HTTP request or WebSocket upgrade carries an accepted token of any scope (always, when open). */
  authorizes(req: Pick<IncomingMessage, 'headers' | 'url'>): boolean {
    return this.principalOf(req) !== undefined;
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
