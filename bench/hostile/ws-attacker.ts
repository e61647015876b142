// Hostile clients of one WebSocket endpoint: a pool of connections (most of them past their hello /
// start / subscribe, so frames reach the message validators, some not), each sending frames from
// ws-payloads.ts when asked. They read the replies and count error codes and close codes; a
// connection the server closes is replaced after a short pause (a reconnecting attacker).
import WebSocket from 'ws';
import { Unpackr } from 'msgpackr';
import { createRandom, type Random } from '../../lib/random.js';
import { inc, type RecentFrames, type Tally } from './tally.js';
import { dashboardFrame, dashboardSubscribe, deviceFrame, deviceHello, textFrame, textStart, type ConnectionState, type WireFrame, type WsEndpoint } from './ws-payloads.js';

const PATHS: Record<WsEndpoint, string> = { device: '/ws/device', dashboard: '/ws/dashboard', text: '/ws/text' };
/** Largest frame each endpoint takes (server/README.md Limits): some frames go just over it. */
export const MAX_FRAME_BYTES: Record<WsEndpoint, number> = { device: 1 << 20, dashboard: 64 * 1024, text: 64 * 1024 };
/** A connection with this much unsent data is skipped (the server is not reading it). */
const MAX_UNSENT = 1 << 20;

interface Conn {
  ws: WebSocket;
  open: boolean;
  state: ConnectionState;
  preamble: WireFrame[];
}

export interface WsAttackStats {
  sent: number;
  kinds: Tally;
  /** `error` replies by code (`internal` means an exception inside the server). */
  replies: Tally;
  closes: Tally;
  connects: number;
  connectErrors: number;
}

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export class WsAttacker {
  readonly stats: WsAttackStats = { sent: 0, kinds: {}, replies: {}, closes: {}, connects: 0, connectErrors: 0 };
  private readonly conns: Conn[] = [];
  private readonly rng: Random;
  private next = 0;
  private generation = 0;
  private stopped = false;

  constructor(
    private readonly endpoint: WsEndpoint,
    private readonly wsBase: string,
    private readonly poolSize: number,
    seed: number,
    private readonly recent: RecentFrames,
  ) {
    this.rng = createRandom(seed);
  }

  start(): void {
    for (let i = 0; i < this.poolSize; i++) this.open(i);
  }

  /** Sends up to n frames over the open connections; returns how many went out. */
  send(n: number): number {
    let sent = 0;
    for (let tries = 0; sent < n && tries < n + this.conns.length; tries++) {
      const c = this.conns[this.next++ % this.conns.length];
      if (!c?.open || c.ws.readyState !== WebSocket.OPEN || c.ws.bufferedAmount > MAX_UNSENT) continue;
      const frame = this.frame(c.state);
      c.ws.send(frame.data, { binary: frame.binary });
      this.recent.add(this.endpoint, frame.kind, frame.data, frame.binary, c.preamble);
      inc(this.stats.kinds, frame.kind);
      this.stats.sent++;
      sent++;
    }
    return sent;
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.conns) c.ws.terminate();
  }

  private frame(state: ConnectionState): WireFrame {
    const max = MAX_FRAME_BYTES[this.endpoint];
    if (this.endpoint === 'device') return deviceFrame(this.rng, state, max);
    if (this.endpoint === 'dashboard') return dashboardFrame(this.rng, max);
    return textFrame(this.rng, state, max);
  }

  private preambleFor(slot: number): WireFrame[] {
    const r = this.rng;
    if (this.endpoint === 'device') return r.next() < 0.75 ? [deviceHello(`fuzz-dev-${slot}-${this.generation++ % 8}`, r)] : [];
    if (this.endpoint === 'text') return r.next() < 0.7 ? [textStart(r)] : [];
    return r.next() < 0.5 ? [dashboardSubscribe()] : [];
  }

  private open(slot: number): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.wsBase + PATHS[this.endpoint], { perMessageDeflate: false, handshakeTimeout: 10_000 });
    const conn: Conn = { ws, open: false, state: { seq: 0, t: Date.now() }, preamble: this.preambleFor(slot) };
    this.conns[slot] = conn;
    ws.on('open', () => {
      this.stats.connects++;
      for (const p of conn.preamble) ws.send(p.data, { binary: p.binary });
      // Give the hello / start a moment to be answered before the junk starts.
      setTimeout(() => (conn.open = true), 200);
    });
    ws.on('message', (data, isBinary) => this.count(data as Buffer, isBinary));
    ws.on('error', () => {
      if (!conn.open) this.stats.connectErrors++;
    });
    ws.on('close', (code) => {
      conn.open = false;
      if (this.stopped) return;
      inc(this.stats.closes, code);
      setTimeout(() => this.open(slot), 50 + this.rng.int(0, 200));
    });
  }

  private count(data: Buffer, isBinary: boolean): void {
    let m: { type?: unknown; code?: unknown } | undefined;
    try {
      m = isBinary ? unpackr.unpack(data) : JSON.parse(data.toString());
    } catch {
      inc(this.stats.replies, 'undecodable-reply');
      return;
    }
    if (m && m.type === 'error') inc(this.stats.replies, String(m.code));
  }
}
