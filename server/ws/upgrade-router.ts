// WebSocket endpoints on Fastify's HTTP(S) server: one `ws` WebSocketServer (noServer) per path,
// chosen on the HTTP 'upgrade' event. Before a socket is accepted the router checks, in order:
// the Host header (421, DNS rebinding: security/host-allowlist.ts), the path (404), that the server still accepts connections (503 while shutting down), the
// browser Origin (403), then accepts and closes at once with 1013 when the total or per-IP
// connection limit is reached, or 1008 when a token is required and missing (on paths that
// take the token in their first frame, the handler checks it instead). Frames above a path's
// maxPayload close the socket with 1009 (ws does that). A heartbeat pings every socket and cuts
// the ones that did not answer the previous ping (phones that vanished without closing).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '../../protocol/close-codes.js';
import type { Auth, Principal } from '../security/auth.js';
import { addressGroup, type ClientAddress } from '../security/client-address.js';
import { isLoopbackHost } from '../security/exposure.js';
import type { HostPolicy } from '../security/host-allowlist.js';
import type { OriginPolicy } from '../security/origin.js';
import { socketScope } from '../security/route-scopes.js';

/** What the router knows about an accepted connection. */
export interface ConnectionInfo {
  /** Unique per router, for logs: 'ws-17'. */
  id: string;
  /** Remote address. */
  ip: string;
  /** True when the upgrade carried an accepted token with the scope this path needs (or none is required). */
  authenticated: boolean;
  /** Whose token the upgrade carried (when it was valid; any scope). */
  principal?: Principal;
}

export type ConnectionHandler = (ws: WebSocket, req: IncomingMessage, info: ConnectionInfo) => void;

export interface RouteOptions {
  /** Largest frame in bytes. */
  maxPayload: number;
  /** The protocol carries a token in its first frame: accept unauthenticated upgrades and let the handler check. */
  tokenInFirstFrame?: boolean;
}

/** Why an upgrade was refused (for metrics and logs). */
export type RefusalReason = 'host' | 'not-found' | 'shutting-down' | 'origin' | 'too-many-connections' | 'too-many-from-ip' | 'unauthorized';

export interface UpgradeGuardOptions {
  auth?: Auth;
  origins?: OriginPolicy;
  /** Host names served (default: any). */
  hosts?: HostPolicy;
  /** Most WebSockets open at once, all paths together (default: unlimited). */
  maxConnections?: number;
  /** Most WebSockets open at once from one address, an IPv6 /64 counting as one (default: unlimited). */
  maxConnectionsPerIp?: number;
  /** Loopback clients (local simulators and benches) skip the per-IP limit. */
  exemptLoopbackFromIpLimit?: boolean;
  /** Resolves the client behind trusted proxies (default: the socket's address). */
  clientAddress?: ClientAddress;
  onRefused?: (reason: RefusalReason, req: IncomingMessage, detail: string) => void;
  onConnection?: (path: string, info: ConnectionInfo) => void;
  onDisconnection?: (path: string, info: ConnectionInfo, code: number) => void;
}

export class UpgradeRouter {
  private readonly routes = new Map<string, { wss: WebSocketServer; opts: RouteOptions }>();
  private attached: Server | undefined;
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Open sockets per address group (IPv4 address, IPv6 /64). */
  private readonly perIp = new Map<string, number>();
  private open = 0;
  private nextId = 1;
  private accepting = true;

  /** heartbeatMs: ping interval; a socket silent for two intervals is terminated (0 = off). */
  constructor(
    heartbeatMs = 30_000,
    private readonly guard: UpgradeGuardOptions = {},
  ) {
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Serves WebSockets on `path`. */
  add(path: string, handler: ConnectionHandler, opts: RouteOptions): void {
    if (this.routes.has(path)) throw new Error(`a WebSocket route for ${path} exists already`);
    const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload, perMessageDeflate: false });
    wss.on('connection', (ws: WebSocket, req: IncomingMessage, info: ConnectionInfo) => {
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      handler(ws, req, info);
    });
    this.routes.set(path, { wss, opts });
  }

  get paths(): string[] {
    return [...this.routes.keys()];
  }

  /** Open WebSockets per path. */
  connections(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [path, { wss }] of this.routes) out[path] = wss.clients.size;
    return out;
  }

  attach(server: Server): void {
    if (this.attached) return;
    this.attached = server;
    server.on('upgrade', this.onUpgrade);
  }

  /** New upgrades are refused (503) from now on; open sockets stay. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Closes every WebSocket (code 1001, going away) and stops accepting new ones. */
  async close(): Promise<void> {
    this.accepting = false;
    clearInterval(this.heartbeat);
    this.attached?.off('upgrade', this.onUpgrade);
    await Promise.all(
      [...this.routes.values()].map(
        ({ wss }) =>
          new Promise<void>((resolve) => {
            for (const ws of wss.clients) ws.close(CloseCode.goingAway, 'server shutting down');
            // Sockets that don't finish the closing handshake promptly are cut.
            const force = setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), 1000);
            wss.close(() => {
              clearTimeout(force);
              resolve();
            });
          }),
      ),
    );
  }

  private beat(): void {
    for (const { wss } of this.routes.values()) {
      for (const ws of wss.clients) {
        if (!this.alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => {}); // a client that vanishes mid-handshake must not crash the process
    const hostProblem = this.guard.hosts?.check(req.headers.host);
    if (hostProblem) return this.reject(socket, req, 421, 'host', hostProblem);
    const path = (req.url ?? '/').split('?')[0]!;
    const route = this.routes.get(path);
    if (!route) return this.reject(socket, req, 404, 'not-found', `no WebSocket endpoint at ${path.slice(0, 100)}; try ${this.paths.join(' or ')}`);
    if (!this.accepting) return this.reject(socket, req, 503, 'shutting-down', 'the server is shutting down');
    const originProblem = this.guard.origins?.check(req.headers);
    if (originProblem) return this.reject(socket, req, 403, 'origin', originProblem);

    const ip = this.guard.clientAddress?.of(req) ?? req.socket.remoteAddress ?? 'unknown';
    const auth = this.guard.auth;
    const principal = auth?.principalOf(req);
    const scope = socketScope(path);
    const authenticated = !auth || (principal?.scopes.has(scope) ?? false);
    let refusal: { reason: RefusalReason; code: number; message: string } | undefined;
    if (this.guard.maxConnections !== undefined && this.open >= this.guard.maxConnections) {
      refusal = { reason: 'too-many-connections', code: CloseCode.tryAgainLater, message: `the server takes at most ${this.guard.maxConnections} connections` };
    } else if (
      this.guard.maxConnectionsPerIp !== undefined &&
      !(this.guard.exemptLoopbackFromIpLimit && isLoopbackHost(ip)) &&
      (this.perIp.get(addressGroup(ip)) ?? 0) >= this.guard.maxConnectionsPerIp
    ) {
      refusal = { reason: 'too-many-from-ip', code: CloseCode.tryAgainLater, message: `at most ${this.guard.maxConnectionsPerIp} connections per address (IPv6: per /64)` };
    } else if (!authenticated && !route.opts.tokenInFirstFrame) {
      refusal = { reason: 'unauthorized', code: CloseCode.policy, message: `unauthorized: a valid ${scope} token is required (Authorization: Bearer, ?token= or the page cookie)` };
    }
    route.wss.handleUpgrade(req, socket, head, (ws) => {
      if (refusal) {
        // Accept, then close with a code: browsers cannot see an HTTP status of a refused upgrade.
        this.guard.onRefused?.(refusal.reason, req, refusal.message);
        ws.on('error', () => {});
        ws.close(refusal.code, refusal.message);
        const force = setTimeout(() => ws.terminate(), 2000);
        force.unref();
        return;
      }
      const info: ConnectionInfo = { id: `ws-${this.nextId++}`, ip, authenticated, ...(principal ? { principal } : {}) };
      this.track(path, ws, info);
      route.wss.emit('connection', ws, req, info);
    });
  };

  private track(path: string, ws: WebSocket, info: ConnectionInfo): void {
    this.open++;
    const group = addressGroup(info.ip);
    this.perIp.set(group, (this.perIp.get(group) ?? 0) + 1);
    this.guard.onConnection?.(path, info);
    ws.once('close', (code: number) => {
      this.open--;
      const n = (this.perIp.get(group) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(group);
      else this.perIp.set(group, n);
      this.guard.onDisconnection?.(path, info, code);
    });
  }

  private reject(socket: Duplex, req: IncomingMessage, status: number, reason: RefusalReason, message: string): void {
    this.guard.onRefused?.(reason, req, message);
    const text = { 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request', 503: 'Service Unavailable' }[status] ?? 'Error';
    // The one error shape of every HTTP answer (server/http/error-shape.ts).
    const code = { host: 'misdirected-request', origin: 'forbidden-origin' }[reason as string] ?? reason;
    const body = JSON.stringify({ error: code, message });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
}
