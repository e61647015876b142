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
    endpoint: r.endpoint === 'http' ? 'http' : (PATHS[r.endpoint] ?? r.endpoint),
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

/** Replays `r` against a fresh server; true when that server exits within `waitMs`. */
async function killsAlone(r: SentRecord, serverOptions: Omit<LocalServerOptions, 'log'>, waitMs: number): Promise<boolean> {
  const server = await WatchedServer.start(serverOptions, () => undefined);
  let crashed = false;
  void server.crashed.then(() => (crashed = true));
  await replay(server.httpUrl, r);
  for (let waited = 0; waited < waitMs && !crashed; waited += 50) await new Promise((res) => setTimeout(res, 50));
  if (!crashed) await server.close();
  return crashed;
}

/**
 * Replays up to `limit` of `candidates` (newest first) against one fresh server until it exits;
 * a dying process still runs for a moment, so the last few frames replayed are then tried again,
 * each alone on a fresh server. Returns the frame that kills a server by itself, or undefined.
 */
export async function findCrashingFrame(candidates: readonly SentRecord[], serverOptions: Omit<LocalServerOptions, 'log'>, limit = 60): Promise<Reproduction | undefined> {
  const order = [...candidates].sort((a, b) => b.at - a.at).slice(0, limit);
  const server = await WatchedServer.start(serverOptions, () => undefined);
  let crashed = false;
  void server.crashed.then(() => (crashed = true));
  const replayed: SentRecord[] = [];
  for (const r of order) {
    await replay(server.httpUrl, r);
    replayed.push(r);
    await new Promise((res) => setTimeout(res, 150));
    if (crashed) break;
  }
  if (!crashed) {
    await new Promise((res) => setTimeout(res, 1000));
    if (!crashed) {
      await server.close();
      return undefined;
    }
  }
  for (const r of replayed.slice(-4)) {
    if (await killsAlone(r, serverOptions, 1500)) return describe(r);
  }
  return undefined;
}
