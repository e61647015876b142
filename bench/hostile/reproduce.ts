// After a crash: which frame did it? Replays the frames sent just before the crash, newest first,
// each on a fresh connection after its connection's preamble (hello, start, subscribe), against a
// fresh server, until one kills it. The answer is a one-frame reproduction (endpoint and bytes),
// or "none of them alone" (the crash needed accumulated state).
import { connect } from 'node:net';
import WebSocket from 'ws';
import type { LocalServerOptions } from '../../simulators/local-server.js';
import type { SentRecord } from './tally.js';
import { WatchedServer } from './watched-server.js';

export interface Reproduction {
  endpoint: string;
  kind: string;
  binary: boolean;
  bytes: number;
  /** The frame, hex (first 512 bytes). */
  hex: string;
  /** UTF-8 view of the first 300 bytes (text frames, HTTP requests). */
  text: string;
  preamble: string[];
}

const PATHS: Record<string, string> = { device: '/ws/device', dashboard: '/ws/dashboard', text: '/ws/text' };

function describe(r: SentRecord): Reproduction {
  const b = Buffer.from(r.base64, 'base64');
  return {
    endpoint: r.endpoint === 'http' ? 'http' : PATHS[r.endpoint] ?? r.endpoint,
    kind: r.kind,
    binary: r.binary,
    bytes: r.bytes,
    hex: b.subarray(0, 512).toString('hex'),
    text: b.subarray(0, 300).toString('utf8'),
    preamble: r.preamble.map((p) => Buffer.from(p.base64, 'base64').toString(p.binary ? 'hex' : 'utf8')),
  };
}

function replay(httpUrl: string, r: SentRecord): Promise<void> {
  const url = new URL(httpUrl);
  const bytes = Buffer.from(r.base64, 'base64');
  if (r.endpoint === 'http') {
    return new Promise((resolve) => {
      const s = connect({ host: url.hostname, port: Number(url.port) }, () => s.end(bytes));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      setTimeout(() => (s.destroy(), resolve()), 1000);
    });
  }
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${url.host}${PATHS[r.endpoint]}`, { perMessageDeflate: false });
    const done = () => (ws.terminate(), resolve());
    ws.on('error', done);
    ws.on('open', () => {
      for (const p of r.preamble) ws.send(Buffer.from(p.base64, 'base64'), { binary: p.binary });
      // Let the preamble be handled (a hello, a start) before the frame.
      setTimeout(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(bytes, { binary: r.binary });
        setTimeout(done, 400);
      }, 300);
    });
  });
}

/**
 * Replays up to `limit` of `candidates` (newest first) against fresh servers; returns the first
 * frame after which the server exited, or undefined when none did on its own.
 */
export async function findCrashingFrame(candidates: readonly SentRecord[], serverOptions: Omit<LocalServerOptions, 'log'>, limit = 60): Promise<Reproduction | undefined> {
  const order = [...candidates].sort((a, b) => b.at - a.at).slice(0, limit);
  const server = await WatchedServer.start(serverOptions, () => undefined);
  try {
    for (const r of order) {
      await replay(server.httpUrl, r);
      await new Promise((res) => setTimeout(res, 150));
      if (!server.alive) return describe(r);
    }
    return undefined;
  } finally {
    if (server.alive) await server.close();
  }
}
