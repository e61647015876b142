// WebSocket endpoints on Fastify's HTTP server: one `ws` WebSocketServer (noServer) per path,
// chosen on the HTTP 'upgrade' event. Frames above a path's maxPayload close the socket with
// 1009 (ws does that). Unknown paths get a plain 404. A heartbeat pings every socket and cuts
// the ones that did not answer the previous ping (phones that vanished without closing).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export type ConnectionHandler = (ws: WebSocket, req: IncomingMessage) => void;

export class UpgradeRouter {
  private readonly routes = new Map<string, WebSocketServer>();
  private attached: Server | undefined;
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: ReturnType<typeof setInterval> | undefined;

  /** heartbeatMs: ping interval; a socket silent for two intervals is terminated (0 = off). */
  constructor(heartbeatMs = 30_000) {
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Serves WebSockets on `path`; `maxPayload` is the largest frame in bytes. */
  add(path: string, handler: ConnectionHandler, opts: { maxPayload: number }): void {
    if (this.routes.has(path)) throw new Error(`a WebSocket route for ${path} exists already`);
    const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload, perMessageDeflate: false });
    wss.on('connection', (ws, req) => {
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      handler(ws, req);
    });
    this.routes.set(path, wss);
  }

  get paths(): string[] {
    return [...this.routes.keys()];
  }

  attach(server: Server): void {
    if (this.attached) return;
    this.attached = server;
    server.on('upgrade', this.onUpgrade);
  }

  /** Closes every WebSocket (code 1001, going away) and stops accepting new ones. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.attached?.off('upgrade', this.onUpgrade);
    await Promise.all(
      [...this.routes.values()].map(
        (wss) =>
          new Promise<void>((resolve) => {
            for (const ws of wss.clients) ws.close(1001, 'server shutting down');
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
    for (const wss of this.routes.values()) {
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
    const path = (req.url ?? '/').split('?')[0]!;
    const wss = this.routes.get(path);
    if (!wss) {
      socket.end(`HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nno WebSocket endpoint at ${path}; try ${this.paths.join(' or ')}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
}
