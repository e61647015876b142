// A fair gate for expensive work: at most `maxRunning` requests at once, one client at most
// `perClientRunning` of them, the others queued per client (up to `perClientQueued`, `maxQueued`
// in all) and let in round-robin between clients, so one client with many requests waits behind
// its own and never takes a turn from another. With `dutyShare` < 1, after a request the gate
// stays shut for as long as the request took x (1 - share) / share: expensive routes (image
// models on the main thread) may take at most that share of the event loop, whoever asks,
// and the rest stays for the sockets.

export interface FairGateOptions {
  maxRunning: number;
  perClientRunning: number;
  perClientQueued: number;
  maxQueued: number;
  /** Share of wall time the gated work may take (1: no rest between requests). */
  dutyShare: number;
  /** Longest rest after one request, ms (a first request that loads a model from disk is slow once). */
  maxRestMs?: number;
  now?: () => number;
}

export type GateRefusal = 'client-busy' | 'gate-full';

interface Client {
  running: number;
  waiting: (() => void)[];
}

export class FairGate {
  private readonly clients = new Map<string, Client>();
  /** Clients with requests waiting, in turn order. */
  private readonly turns: string[] = [];
  private running = 0;
  private queued = 0;
  private restUntil = 0;
  private restTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;

  constructor(private readonly o: FairGateOptions) {
    this.now = o.now ?? (() => performance.now());
  }

  /**
   * Waits for a turn; resolves with `release` (call it once the work is done) or with a refusal
   * when the client already has too many requests waiting, or the gate does in all.
   */
  enter(clientKey: string): Promise<{ release: () => void } | { refused: GateRefusal }> {
    const client = this.clients.get(clientKey) ?? { running: 0, waiting: [] };
    this.clients.set(clientKey, client);
    if (client.waiting.length >= this.o.perClientQueued) return Promise.resolve({ refused: 'client-busy' });
    if (this.queued >= this.o.maxQueued) return Promise.resolve({ refused: 'gate-full' });
    return new Promise((resolve) => {
      client.waiting.push(() => resolve({ release: this.releaser(clientKey, client) }));
      this.queued++;
      if (!this.turns.includes(clientKey)) this.turns.push(clientKey);
      this.dispatch();
    });
  }

  get runningCount(): number {
    return this.running;
  }

  get queuedCount(): number {
    return this.queued;
  }

  private releaser(key: string, client: Client): () => void {
    const started = this.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      client.running--;
      if (this.o.dutyShare < 1) {
        const took = this.now() - started;
        const rest = Math.min(this.o.maxRestMs ?? 1000, (took * (1 - this.o.dutyShare)) / this.o.dutyShare);
        this.restUntil = Math.max(this.restUntil, this.now() + rest);
      }
      if (client.running === 0 && client.waiting.length === 0) this.clients.delete(key);
      this.dispatch();
    };
  }

  /** Lets waiting requests in, one client after another, while there is room and no rest. */
  private dispatch(): void {
    const wait = this.restUntil - this.now();
    if (wait > 0) {
      this.restTimer ??= setTimeout(() => {
        this.restTimer = undefined;
        this.dispatch();
      }, wait);
      return;
    }
    let skipped = 0;
    while (this.running < this.o.maxRunning && this.turns.length > 0 && skipped < this.turns.length) {
      const key = this.turns.shift()!;
      const client = this.clients.get(key)!;
      if (client.running >= this.o.perClientRunning) {
        this.turns.push(key); // its own request is still running: the next client's turn
        skipped++;
        continue;
      }
      skipped = 0;
      const next = client.waiting.shift()!;
      this.queued--;
      this.running++;
      client.running++;
      if (client.waiting.length > 0) this.turns.push(key);
      next();
      // With a rest between requests, one at a time (the rest starts when it ends).
      if (this.o.dutyShare < 1) break;
    }
  }
}
