// A reconnect storm: devices that say hello with a few recurring ids, send a frame or two and
// drop (mostly without a close frame, which leaves their session waiting in its reconnect grace),
// dashboards and text sessions that open and vanish. Slots (device ids, dashboards, text
// sessions) must all come back; the storm counts what the server refused.
import WebSocket from 'ws';
import { createRandom, type Random } from '../../lib/random.js';
import { CloseCode } from '../../protocol/close-codes.js';
import { inc, type Tally } from './tally.js';

export interface StormStats {
  connections: number;
  /** Close codes and error codes the storm's connections got. */
  outcomes: Tally;
}

export class ReconnectStorm {
  readonly stats: StormStats = { connections: 0, outcomes: {} };
  private readonly rng: Random;
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly wsBase: string,
    seed: number,
    private readonly ids = 16,
  ) {
    this.rng = createRandom(seed);
  }

  /** Starts up to n short-lived connections (at most 16 at once). */
  send(n: number): number {
    let started = 0;
    while (started < n && this.inFlight < 16 && !this.stopped) {
      started++;
      this.inFlight++;
      this.stats.connections++;
      void this.one().finally(() => this.inFlight--); // one() never rejects
    }
    return started;
  }

  stop(): void {
    this.stopped = true;
  }

  private one(): Promise<void> {
    const r = this.rng;
    const u = r.next();
    const path = u < 0.6 ? '/ws/device' : u < 0.8 ? '/ws/dashboard' : '/ws/text';
    const ws = new WebSocket(this.wsBase + path, { perMessageDeflate: false, handshakeTimeout: 5000 });
    const abrupt = r.next() < 0.6;
    const lifeMs = r.int(0, 300);
    return new Promise<void>((resolve) => {
      const end = setTimeout(() => (abrupt ? ws.terminate() : ws.close(CloseCode.normal)), lifeMs + 2000);
      ws.on('open', () => {
        if (path === '/ws/device') {
          ws.send(JSON.stringify({ type: 'hello', deviceId: `storm-${r.int(0, this.ids - 1)}`, rateHz: 50, units: 'g' }));
          const t0 = Date.now();
          for (let i = 0; i < r.int(0, 3); i++) ws.send(JSON.stringify({ type: 'samples', seq: i, t: [t0 + i * 100, t0 + i * 100 + 20], x: [0, 0], y: [0, 0], z: [1, 1] }));
        } else if (path === '/ws/dashboard') ws.send('{"type":"subscribe","devices":"*"}');
        else ws.send('{"type":"start"}');
        clearTimeout(end);
        setTimeout(() => (abrupt ? ws.terminate() : ws.close(CloseCode.normal)), lifeMs);
      });
      ws.on('message', (data) => {
        try {
          const m = JSON.parse(data.toString()) as { type?: string; code?: string };
          if (m.type === 'error') inc(this.stats.outcomes, `error:${m.code}`);
        } catch {
          // binary or junk: not ours to judge
        }
      });
      ws.on('error', () => inc(this.stats.outcomes, 'socket-error'));
      ws.on('close', (code) => {
        clearTimeout(end);
        if (code !== CloseCode.abnormal && code !== CloseCode.normal && code !== CloseCode.noStatus) inc(this.stats.outcomes, `close:${code}`);
        resolve();
      });
    });
  }
}
