// HTTP connection timeouts (server/config.ts `http`) as Fastify and Node server options: a client
// that trickles its headers (slowloris) or body, or keeps an idle connection, cannot hold a socket
// for free. Upgraded WebSockets are not affected (ws clears the socket timeout; they have their
// own heartbeat).
import type { FastifyServerOptions } from 'fastify';
import type { HttpTimeoutsConfig } from './config.js';

export interface HttpTimeoutOptions {
  /** Fastify's own options (it applies them to the server it creates). */
  fastify: Pick<FastifyServerOptions, 'connectionTimeout' | 'requestTimeout' | 'keepAliveTimeout'>;
  /** Options of Node's http(s).createServer (Fastify's `http`, or merged into `https`). */
  server: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
}

export function httpTimeoutOptions(t: HttpTimeoutsConfig): HttpTimeoutOptions {
  // Node enforces headersTimeout and requestTimeout only when it checks its connections, every
  // 30 s by default: check often enough that a limit of a few seconds holds (cheap: one pass
  // over the open HTTP connections).
  const checkEveryMs = Math.max(100, Math.min(1000, Math.floor(Math.min(t.headersTimeoutMs, t.requestTimeoutMs) / 2)));
  return {
    fastify: { connectionTimeout: t.connectionTimeoutMs, requestTimeout: t.requestTimeoutMs, keepAliveTimeout: t.keepAliveTimeoutMs },
    server: { headersTimeout: t.headersTimeoutMs, requestTimeout: t.requestTimeoutMs, connectionsCheckingInterval: checkEveryMs },
  };
}
