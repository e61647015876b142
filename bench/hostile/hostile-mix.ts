// The whole hostile mix against one server on loopback, paced: per endpoint (/ws/device,
// /ws/dashboard, /ws/text, HTTP) `rate` frames or requests a second up to a budget, and beside
// them clients that never read, a reconnect storm, protocol violations and slow HTTP clients.
// It stops by itself: when every budget is spent, or after maxSeconds.
import { HttpAttacker, type HttpAttackStats } from './http-attacker.js';
import { NonReaders, type NonReaderStats } from './non-readers.js';
import { ProtocolBreaker, type ProtocolStats } from './protocol-breaker.js';
import { ReconnectStorm, type StormStats } from './reconnect-storm.js';
import { SlowHttp, type SlowHttpStats } from './slow-http.js';
import { RecentFrames, type SentRecord } from './tally.js';
import { WsAttacker, type WsAttackStats } from './ws-attacker.js';
import type { WsEndpoint } from './ws-payloads.js';

/** The attack families; a run may leave some out (which of them hurts the neighbours?). */
export const FAMILIES = ['device', 'dashboard', 'text', 'http', 'non-readers', 'storm', 'protocol', 'slow-http'] as const;
export type Family = (typeof FAMILIES)[number];

export interface HostileOptions {
  /** http://127.0.0.1:PORT (loopback only). */
  httpUrl: string;
  /** Frames per WebSocket endpoint, and HTTP requests (Infinity: until maxSeconds). */
  framesPerEndpoint: number;
  /** What earlier runs of the same attack already sent to each endpoint: this run sends the rest of its budget. */
  spent?: Partial<Record<WsEndpoint | 'http', number>>;
  /** Frames (requests) per second per endpoint. */
  rate: number;
  maxSeconds: number;
  seed: number;
  connectionsPerEndpoint?: number;
  httpConcurrency?: number;
  /** Device ids the run uses (hostile recording start/stop aim at them). */
  deviceIds?: string[];
  /** Slow HTTP connections held open. */
  slowHttp?: number;
  /** Frames per second each non-reader writes. */
  nonReaderRate?: number;
  /** Short-lived connections per second. */
  stormRate?: number;
  /** Protocol violations per second. */
  protocolRate?: number;
  /** Families to run (default: all). */
  families?: Family[];
}

export interface HostileProgress {
  seconds: number;
  frames: number;
  perEndpoint: Record<WsEndpoint | 'http', number>;
}

export interface HostileSummary {
  seconds: number;
  /** Every frame and request sent, side attacks included. */
  frames: number;
  ws: Record<WsEndpoint, WsAttackStats>;
  http: HttpAttackStats;
  nonReaders: NonReaderStats;
  storm: StormStats;
  protocol: ProtocolStats;
  slowHttp: SlowHttpStats;
  /** The last frames sent to each endpoint, newest last (to trace a crash). */
  recent: SentRecord[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function assertLoopback(httpUrl: string): URL {
  const url = new URL(httpUrl);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`the hostile mix only targets loopback (got ${url.hostname})`);
  return url;
}

export class HostileMix {
  private readonly ws: Record<WsEndpoint, WsAttacker>;
  private readonly http: HttpAttacker;
  private readonly nonReaders: NonReaders;
  private readonly storm: ReconnectStorm;
  private readonly protocol: ProtocolBreaker;
  private readonly slow: SlowHttp;
  private readonly recent: Record<WsEndpoint | 'http', RecentFrames>;
  private stopRequested = false;
  private startedAt = 0;

  constructor(private readonly o: HostileOptions) {
    const url = assertLoopback(o.httpUrl);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port);
    const wsBase = `ws://${url.host}`;
    const pool = o.connectionsPerEndpoint ?? 4;
    this.recent = { device: new RecentFrames(), dashboard: new RecentFrames(), text: new RecentFrames(), http: new RecentFrames(32) };
    this.ws = {
      device: new WsAttacker('device', wsBase, pool, o.seed * 31 + 1, this.recent.device),
      dashboard: new WsAttacker('dashboard', wsBase, pool, o.seed * 31 + 2, this.recent.dashboard),
      text: new WsAttacker('text', wsBase, pool, o.seed * 31 + 3, this.recent.text),
    };
    this.http = new HttpAttacker(host, port, o.httpConcurrency ?? 8, o.seed * 31 + 4, o.deviceIds ?? [], this.recent.http);
    this.nonReaders = new NonReaders(host, port, o.seed * 31 + 5);
    this.storm = new ReconnectStorm(wsBase, o.seed * 31 + 6);
    this.protocol = new ProtocolBreaker(host, port, o.seed * 31 + 7);
    this.slow = new SlowHttp(host, port, o.slowHttp ?? 16);
  }

  /** Runs until every budget is spent, maxSeconds pass, or stop(); `onProgress` about once a second. */
  async run(onProgress?: (p: HostileProgress) => void): Promise<HostileSummary> {
    const o = this.o;
    const on = new Set<Family>(o.families ?? FAMILIES);
    this.startedAt = performance.now();
    const budgetLeft = (endpoint: WsEndpoint | 'http') => Math.max(0, o.framesPerEndpoint - (o.spent?.[endpoint] ?? 0));
    const ws = (Object.entries(this.ws) as [WsEndpoint, WsAttacker][]).filter(([e]) => on.has(e)).map(([e, a]) => ({ a, budget: budgetLeft(e) }));
    for (const { a } of ws) a.start();
    const httpBudget = on.has('http') ? budgetLeft('http') : 0;
    const side = { nonReader: 0, storm: 0, protocol: 0 };
    let lastSlow = 0;
    let lastProgress = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const seconds = (performance.now() - this.startedAt) / 1000;
        const due = Math.floor(o.rate * seconds);
        for (const { a, budget } of ws) if (a.stats.sent < Math.min(due, budget)) a.send(Math.min(due, budget) - a.stats.sent);
        if (this.http.stats.sent < Math.min(due, httpBudget)) this.http.send(Math.min(due, httpBudget) - this.http.stats.sent);
        // Side attacks at their own rates (fractions carry over between ticks).
        const sideDue = (rate: number, done: number) => Math.floor(rate * seconds) - done;
        const nr = sideDue(on.has('non-readers') ? (o.nonReaderRate ?? 20) : 0, side.nonReader);
        if (nr > 0) {
          this.nonReaders.tick(nr);
          side.nonReader += nr;
        }
        const st = sideDue(on.has('storm') ? (o.stormRate ?? 10) : 0, side.storm);
        if (st > 0) side.storm += this.storm.send(st) || st;
        const pr = sideDue(on.has('protocol') ? (o.protocolRate ?? 5) : 0, side.protocol);
        if (pr > 0) side.protocol += this.protocol.send(pr) || pr;
        if (on.has('slow-http') && seconds - lastSlow >= 1) {
          lastSlow = seconds;
          this.slow.tick();
        }
        if (onProgress && seconds - lastProgress >= 1) {
          lastProgress = seconds;
          onProgress(this.progress(seconds));
        }
        // With only side attacks (no budget to spend) the run lasts maxSeconds.
        const budgetsSpent = (ws.length > 0 || httpBudget > 0) && ws.every(({ a, budget }) => a.stats.sent >= budget) && this.http.stats.sent >= httpBudget && this.http.pending === 0;
        if (budgetsSpent || seconds >= o.maxSeconds || this.stopRequested) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    return this.finish();
  }

  /** Ends the run early (the summary still comes from run()). */
  stop(): void {
    this.stopRequested = true;
  }

  private progress(seconds: number): HostileProgress {
    const perEndpoint = { device: this.ws.device.stats.sent, dashboard: this.ws.dashboard.stats.sent, text: this.ws.text.stats.sent, http: this.http.stats.sent };
    return { seconds, frames: this.total(), perEndpoint };
  }

  private total(): number {
    return Object.values(this.ws).reduce((s, a) => s + a.stats.sent, 0) + this.http.stats.sent + this.nonReaders.stats.frames + this.storm.stats.connections + this.protocol.stats.sent;
  }

  private finish(): HostileSummary {
    for (const a of Object.values(this.ws)) a.stop();
    this.http.stop();
    this.nonReaders.stop();
    this.storm.stop();
    this.protocol.stop();
    const slowHttp = this.slow.stop();
    return {
      seconds: (performance.now() - this.startedAt) / 1000,
      frames: this.total(),
      ws: { device: this.ws.device.stats, dashboard: this.ws.dashboard.stats, text: this.ws.text.stats },
      http: this.http.stats,
      nonReaders: this.nonReaders.stats,
      storm: this.storm.stats,
      protocol: this.protocol.stats,
      slowHttp,
      recent: Object.values(this.recent)
        .flatMap((r) => r.list())
        .sort((a, b) => a.at - b.at),
    };
  }
}
