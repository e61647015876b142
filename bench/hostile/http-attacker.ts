// Hostile HTTP requests (http-payloads.ts) against every route, a bounded number in flight, over
// node:http (fetch will not send a foreign Host header or odd methods). Counts status classes;
// a 5xx is a finding (a schema or handler let something through), kept with its request.
import { Agent, request } from 'node:http';
import { createRandom, type Random } from '../../lib/random.js';
import { httpCase, type HttpCase } from './http-payloads.js';
import { inc, type RecentFrames, type Tally } from './tally.js';

export interface ServerErrorCase {
  kind: string;
  method: string;
  path: string;
  status: number;
  /** First bytes of the request body and of the reply. */
  body: string;
  reply: string;
}

export interface HttpAttackStats {
  sent: number;
  kinds: Tally;
  status: Tally;
  networkErrors: Tally;
  serverErrors: ServerErrorCase[];
}

const TIMEOUT_MS = 15_000;

export class HttpAttacker {
  readonly stats: HttpAttackStats = { sent: 0, kinds: {}, status: {}, networkErrors: {}, serverErrors: [] };
  private readonly agent: Agent;
  private readonly rng: Random;
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly concurrency: number,
    seed: number,
    private readonly deviceIds: readonly string[],
    private readonly recent: RecentFrames,
  ) {
    this.rng = createRandom(seed);
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  /** Starts up to n requests (fewer when `concurrency` are already in flight); returns how many. */
  send(n: number): number {
    let started = 0;
    while (started < n && this.inFlight < this.concurrency && !this.stopped) {
      this.fire(httpCase(this.rng, this.deviceIds));
      started++;
    }
    return started;
  }

  get pending(): number {
    return this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    this.agent.destroy();
  }

  private fire(c: HttpCase): void {
    this.inFlight++;
    this.stats.sent++;
    inc(this.stats.kinds, c.kind);
    const body = c.body === undefined ? undefined : Buffer.from(c.body);
    const headers: Record<string, string> = { ...c.headers };
    if (body) headers['content-length'] = String(body.length);
    // Kept as the raw HTTP/1.1 request, replayable with `nc`.
    const head = `${c.method} ${c.path} HTTP/1.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;
    this.recent.add('http', c.kind, body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head, false, []);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.inFlight--;
    };
    const req = request({ host: this.host, port: this.port, method: c.method, path: c.path, headers, agent: this.agent, timeout: TIMEOUT_MS }, (res) => {
      const status = res.statusCode ?? 0;
      inc(this.stats.status, `${Math.floor(status / 100)}xx`);
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (d: Buffer) => {
        if (kept < 2048) {
          chunks.push(d);
          kept += d.length;
        }
      });
      res.on('end', () => {
        if (status >= 500 && this.stats.serverErrors.length < 50) {
          this.stats.serverErrors.push({
            kind: c.kind,
            method: c.method,
            path: c.path.slice(0, 300),
            status,
            body: body ? body.subarray(0, 300).toString('latin1') : '',
            reply: Buffer.concat(chunks).subarray(0, 400).toString(),
          });
        }
        finish();
      });
      res.on('error', () => finish());
    });
    req.on('timeout', () => {
      inc(this.stats.networkErrors, 'timeout');
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      inc(this.stats.networkErrors, err.code ?? err.message.slice(0, 40));
      finish();
    });
    req.end(body);
  }
}
