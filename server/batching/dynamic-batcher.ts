// Dynamic batching: callers submit single items and get single results, while the work runs in
// batches. A batch starts when `maxBatch` items are waiting or when the oldest has waited
// `maxDelayMs`, so a lone caller pays at most maxDelayMs and a busy server runs full batches.
// Generic in the item and result types: the HAR server batches windows, the text service LSTM
// steps. Batches run one at a time by default (TensorFlow.js runs one op at a time anyway); a
// runner in another thread may take `maxConcurrent` 2 so the next batch waits in its inbox
// instead of idling it for a round trip. The queue is bounded: when it is full, submit() rejects
// with OverloadedError at once instead of growing, so the wait of accepted items stays bounded.
// Fair between submitters (a `key` per item, e.g. the device): one with a backlog cannot keep the
// others out. When the queue is full, the key holding the most items gives up its newest for a
// key holding fewer; and each batch is shared equally among the keys waiting (room one leaves
// goes to the others in queue order), so a lone window never waits behind a whole backlog.
import { RollingSamples, type Summary } from '../../lib/rolling-samples.js';

/** A batch timer this far past its time means the event loop is busy: submit() starts the batch itself. */
const TIMER_LATE_MS = 10;

function wholeAtLeastOne(key: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be a whole number >= 1 (got ${value})`);
  return value;
}

export class OverloadedError extends Error {
  constructor(
    readonly queueDepth: number,
    readonly maxQueue: number,
  ) {
    super(`overloaded: ${queueDepth} items already queued (limit ${maxQueue})`);
    this.name = 'OverloadedError';
  }
}

export class BatcherClosedError extends Error {
  constructor() {
    super('the batcher was closed before this item ran');
    this.name = 'BatcherClosedError';
  }
}

export interface DynamicBatcherOptions<I, O> {
  /** Largest batch; a batch runs as soon as this many items wait. */
  maxBatch: number;
  /** Longest time the oldest queued item waits for others before its batch runs. */
  maxDelayMs: number;
  /** Most items waiting (not counting the running batch); beyond it submit() rejects. */
  maxQueue: number;
  /**
   * Batches that may run at once (default 1). Above 1, a batch starts while earlier ones are still
   * running; each item still gets its own result, but batches finish in the order `run` settles.
   */
  maxConcurrent?: number;
  /**
   * Of those, how many may be partial batches (default maxConcurrent): a runner that can queue
   * many batches is kept fed by full ones under load, without splitting moderate load into
   * many small batches.
   */
  maxConcurrentPartial?: number;
  /** Runs one batch: must return exactly one result per item, in item order. */
  run: (items: readonly I[]) => O[] | Promise<O[]>;
  /** Clock in ms (tests inject a fake one). */
  now?: () => number;
  /** Told after every batch (metrics): its size, each item's queue wait, the run time, whether it failed. */
  onBatch?: (batch: { size: number; waitsMs: readonly number[]; runMs: number; failed: boolean }) => void;
}

export interface BatcherStats {
  /** Batches run (including failed ones). */
  batches: number;
  /** Items that got a result. */
  completed: number;
  /** Items rejected by failed batches. */
  failed: number;
  /** Items rejected (or evicted) with OverloadedError. */
  overloaded: number;
  /**
   * Of those, the ones whose key held more than twice as many items as the other keys on average:
   * one submitter's backlog, not a server that cannot keep up (the load shedder leaves them out).
   */
  overShare: number;
  queueDepth: number;
  /** Mean size of the batches run. */
  meanBatch: number;
  /** histogram[k] = number of batches of size k (index 0 unused). */
  batchSizeHistogram: number[];
  /** Time items spent queued before their batch started, ms (recent items). */
  queueWaitMs: Summary;
  /** Time a batch's run took, ms (recent batches). */
  runMs: Summary;
}

interface Pending<I, O> {
  item: I;
  key: unknown;
  enqueuedAt: number;
  resolve: (result: O) => void;
  reject: (err: unknown) => void;
}

export class DynamicBatcher<I, O> {
  /** Waiting items, oldest first (batches take the oldest one always, so queue[0] is the longest wait). */
  private queue: Pending<I, O>[] = [];
  /** Items waiting per key. */
  private readonly perKey = new Map<unknown, number>();
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  /** Batches running now. */
  private active = 0;
  private readonly maxConcurrent: number;
  private readonly maxConcurrentPartial: number;
  private readonly idle: (() => void)[] = [];
  private closed = false;
  // stats
  private batches = 0;
  private itemsInBatches = 0;
  private completed = 0;
  private failed = 0;
  private overloaded = 0;
  private overShare = 0;
  private readonly histogram: number[];
  private readonly queueWait = new RollingSamples(2048);
  private readonly runTime = new RollingSamples(512);

  constructor(private readonly opts: DynamicBatcherOptions<I, O>) {
    wholeAtLeastOne('maxBatch', opts.maxBatch);
    wholeAtLeastOne('maxQueue', opts.maxQueue);
    if (!(opts.maxDelayMs >= 0) || !Number.isFinite(opts.maxDelayMs)) throw new RangeError(`maxDelayMs must be >= 0 (got ${opts.maxDelayMs})`);
    this.maxConcurrent = wholeAtLeastOne('maxConcurrent', opts.maxConcurrent ?? 1);
    this.maxConcurrentPartial = Math.min(this.maxConcurrent, wholeAtLeastOne('maxConcurrentPartial', opts.maxConcurrentPartial ?? this.maxConcurrent));
    this.now = opts.now ?? (() => performance.now());
    this.histogram = new Array<number>(opts.maxBatch + 1).fill(0);
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  /**
   * Queues one item; resolves with its result, or rejects with OverloadedError when the queue is
   * full and `key` (the submitter: items of one key run in order) holds no fewer items than any other.
   */
  submit(item: I, key?: unknown): Promise<O> {
    if (this.closed) return Promise.reject(new BatcherClosedError());
    if (this.queue.length >= this.opts.maxQueue && !this.evictForFairness(key)) {
      this.countOverloaded(key);
      return Promise.reject(new OverloadedError(this.queue.length, this.opts.maxQueue));
    }
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, key, enqueuedAt: this.now(), resolve, reject });
      this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
      // When the batch timer is clearly late, the batch starts here, in the caller's turn. An
      // event loop busy reading thousands of sockets runs timers and immediates only between
      // long polls of socket events (seconds, under overload: measured at 4,000 phones): batches
      // started only from there left the queue full, the model idle, and nothing served.
      if (this.canStart() && this.waitedMs() >= this.opts.maxDelayMs + TIMER_LATE_MS) this.startBatches();
      else this.schedule();
    });
  }

  stats(): BatcherStats {
    return {
      batches: this.batches,
      completed: this.completed,
      failed: this.failed,
      overloaded: this.overloaded,
      overShare: this.overShare,
      queueDepth: this.queue.length,
      meanBatch: this.batches === 0 ? 0 : this.itemsInBatches / this.batches,
      batchSizeHistogram: this.histogram.slice(),
      queueWaitMs: this.queueWait.summary(),
      runMs: this.runTime.summary(),
    };
  }

  /**
   * The queue is full: the key holding the most items (if it holds more than one beyond `key`'s)
   * gives up its newest item, which is rejected with OverloadedError. True when room was made.
   */
  private evictForFairness(key: unknown): boolean {
    const mine = this.perKey.get(key) ?? 0;
    let victim: unknown;
    let most = mine + 1;
    for (const [k, n] of this.perKey) {
      if (n > most) {
        most = n;
        victim = k;
      }
    }
    if (most <= mine + 1) return false;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const p = this.queue[i]!;
      if (p.key !== victim) continue;
      this.countOverloaded(victim, { key });
      this.queue.splice(i, 1);
      this.forgetKey(victim);
      p.reject(new OverloadedError(this.queue.length + 1, this.opts.maxQueue));
      return true;
    }
    return false;
  }

  /** One item of `key` turned away (for `newcomer`: the key it made room for, which may hold none yet). */
  private countOverloaded(key: unknown, newcomer?: { key: unknown }): void {
    this.overloaded++;
    const held = this.perKey.get(key) ?? 0;
    let others = this.perKey.size - (this.perKey.has(key) ? 1 : 0);
    if (newcomer && !this.perKey.has(newcomer.key)) others++;
    if (others > 0 && held > (2 * (this.queue.length - held)) / others) this.overShare++;
  }

  private forgetKey(key: unknown): void {
    const n = (this.perKey.get(key) ?? 0) - 1;
    if (n > 0) this.perKey.set(key, n);
    else this.perKey.delete(key);
  }

  /**
   * The next batch: up to maxBatch items, each waiting key taking an equal share first (in queue
   * order, so the oldest item is always in it), then the room left in queue order.
   */
  private takeBatch(): Pending<I, O>[] {
    const { maxBatch } = this.opts;
    let batch: Pending<I, O>[];
    if (this.queue.length <= maxBatch || this.perKey.size <= 1) {
      batch = this.queue.splice(0, maxBatch);
    } else {
      const share = Math.max(1, Math.floor(maxBatch / this.perKey.size));
      const taken = new Map<unknown, number>();
      const rest: Pending<I, O>[] = [];
      batch = [];
      for (const p of this.queue) {
        const n = taken.get(p.key) ?? 0;
        if (batch.length < maxBatch && n < share) {
          batch.push(p);
          taken.set(p.key, n + 1);
        } else {
          rest.push(p);
        }
      }
      if (batch.length < maxBatch) batch.push(...rest.splice(0, maxBatch - batch.length));
      this.queue = rest;
    }
    for (const p of batch) this.forgetKey(p.key);
    return batch;
  }

  /** Rejects queued items with BatcherClosedError and waits for the running batches to finish. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    this.perKey.clear();
    for (const p of this.queue.splice(0)) p.reject(new BatcherClosedError());
    if (this.active > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Decides when the next batch runs: soon if one is due, else when the oldest item's wait ends. */
  private schedule(): void {
    if (this.queue.length === 0 || !this.canStart() || this.closed || this.immediate) return;
    if (this.due()) {
      this.clearTimer();
      // Start on a fresh macrotask: submit() returns first, and items submitted in the same tick
      // (one device frame completing several windows) still join this batch. setImmediate, not
      // setTimeout(0): that one waits >= 1 ms, a whole batch's run time at full load.
      this.immediate = setImmediate(() => this.startBatches(true));
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.startBatches(true), this.opts.maxDelayMs - this.waitedMs());
  }

  /** A run slot is free for the batch at the head of the queue (full or partial). */
  private canStart(): boolean {
    return this.active < (this.queue.length >= this.opts.maxBatch ? this.maxConcurrent : this.maxConcurrentPartial);
  }

  /** A full batch waits, or the oldest item has waited maxDelayMs. */
  private due(): boolean {
    return this.queue.length >= this.opts.maxBatch || this.waitedMs() >= this.opts.maxDelayMs;
  }

  /** How long the oldest queued item has waited, ms. */
  private waitedMs(): number {
    return this.now() - this.queue[0]!.enqueuedAt;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  /**
   * Runs every batch that is due, as long as a run slot is free. Synchronous runs (a model in
   * this thread) thus drain the whole queue in one turn: were it one batch per event-loop turn,
   * an overloaded loop (a turn spent reading thousands of sockets) would run maxBatch items per
   * turn, and throughput would collapse just when it is needed most. The queue bound caps how
   * long one turn can take.
   */
  private startBatches(timerFired = false): void {
    this.clearTimer();
    let force = timerFired; // the timer says the oldest item is due, whatever the clock's rounding
    while (this.queue.length > 0 && this.canStart() && !this.closed && (force || this.due())) {
      force = false;
      const batch = this.takeBatch();
      this.active++;
      const running = this.runBatch(batch);
      if (running) {
        const done = () => this.batchDone(true);
        void running.then(done, done);
      } else {
        this.batchDone(false);
      }
    }
    this.schedule();
  }

  /**
   * A batch finished. After an asynchronous run (another thread), a due batch starts right here
   * rather than on the next turn, so that runner is not left idle while this loop is busy.
   */
  private batchDone(async: boolean): void {
    this.active--;
    if (this.active === 0) for (const resolve of this.idle.splice(0)) resolve();
    if (async) this.startBatches();
  }

  /** Runs one batch and settles its items; returns a promise only when `run` is asynchronous. */
  private runBatch(batch: Pending<I, O>[]): Promise<void> | undefined {
    const started = this.now();
    const waits = batch.map((p) => started - p.enqueuedAt);
    for (const w of waits) this.queueWait.add(w);
    this.batches++;
    this.itemsInBatches += batch.length;
    this.histogram[batch.length] += 1;
    let results: O[] | Promise<O[]>;
    try {
      results = this.opts.run(batch.map((p) => p.item));
    } catch (err) {
      this.settle(batch, started, waits, { ok: false, err });
      return undefined;
    }
    if (!Array.isArray(results)) {
      return Promise.resolve(results).then(
        (r) => this.settle(batch, started, waits, { ok: true, results: r }),
        (err: unknown) => this.settle(batch, started, waits, { ok: false, err }),
      );
    }
    this.settle(batch, started, waits, { ok: true, results });
    return undefined;
  }

  private settle(batch: Pending<I, O>[], started: number, waits: number[], outcome: { ok: true; results: O[] } | { ok: false; err: unknown }): void {
    const runMs = this.now() - started;
    this.runTime.add(runMs);
    if (outcome.ok && (!Array.isArray(outcome.results) || outcome.results.length !== batch.length)) {
      const r = outcome.results as unknown;
      outcome = { ok: false, err: new Error(`batch run returned ${Array.isArray(r) ? r.length : typeof r} results for ${batch.length} items`) };
    }
    this.opts.onBatch?.({ size: batch.length, waitsMs: waits, runMs, failed: !outcome.ok });
    if (!outcome.ok) {
      this.failed += batch.length;
      for (const p of batch) p.reject(outcome.err);
      return;
    }
    this.completed += batch.length;
    const { results } = outcome;
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
  }
}
