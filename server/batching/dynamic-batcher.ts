// Dynamic batching: callers submit single items and get single results, while the work runs in
// batches. A batch starts when `maxBatch` items are waiting or when the oldest has waited
// `maxDelayMs`, so a lone caller pays at most maxDelayMs and a busy server runs full batches.
// Generic in the item and result types: the HAR server batches windows, the text service LSTM
// steps. Batches run one at a time (TensorFlow.js runs one op at a time anyway), and the queue
// is bounded: when it is full, submit() rejects with OverloadedError instead of growing.
import { RollingSamples, type Summary } from '../stats/rolling-samples.js';

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
  /** submit() calls rejected with OverloadedError. */
  overloaded: number;
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
  enqueuedAt: number;
  resolve: (result: O) => void;
  reject: (err: unknown) => void;
}

export class DynamicBatcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  // stats
  private batches = 0;
  private itemsInBatches = 0;
  private completed = 0;
  private failed = 0;
  private overloaded = 0;
  private readonly histogram: number[];
  private readonly queueWait = new RollingSamples(2048);
  private readonly runTime = new RollingSamples(512);

  constructor(private readonly opts: DynamicBatcherOptions<I, O>) {
    for (const key of ['maxBatch', 'maxQueue'] as const) {
      if (!Number.isInteger(opts[key]) || opts[key] < 1) throw new RangeError(`${key} must be a whole number >= 1 (got ${opts[key]})`);
    }
    if (!(opts.maxDelayMs >= 0) || !Number.isFinite(opts.maxDelayMs)) throw new RangeError(`maxDelayMs must be >= 0 (got ${opts.maxDelayMs})`);
    this.now = opts.now ?? (() => performance.now());
    this.histogram = new Array<number>(opts.maxBatch + 1).fill(0);
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  /** Queues one item; resolves with its result, or rejects with OverloadedError when the queue is full. */
  submit(item: I): Promise<O> {
    if (this.closed) return Promise.reject(new BatcherClosedError());
    if (this.queue.length >= this.opts.maxQueue) {
      this.overloaded++;
      return Promise.reject(new OverloadedError(this.queue.length, this.opts.maxQueue));
    }
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, enqueuedAt: this.now(), resolve, reject });
      this.schedule();
    });
  }

  stats(): BatcherStats {
    return {
      batches: this.batches,
      completed: this.completed,
      failed: this.failed,
      overloaded: this.overloaded,
      queueDepth: this.queue.length,
      meanBatch: this.batches === 0 ? 0 : this.itemsInBatches / this.batches,
      batchSizeHistogram: this.histogram.slice(),
      queueWaitMs: this.queueWait.summary(),
      runMs: this.runTime.summary(),
    };
  }

  /** Rejects queued items with BatcherClosedError and waits for the running batch to finish. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    for (const p of this.queue.splice(0)) p.reject(new BatcherClosedError());
    await this.running;
  }

  /** Decides when the next batch runs: now if one is due, else when the oldest item's wait ends. */
  private schedule(): void {
    if (this.running || this.queue.length === 0 || this.closed) return;
    const waited = this.now() - this.queue[0]!.enqueuedAt;
    if (this.queue.length >= this.opts.maxBatch || waited >= this.opts.maxDelayMs) {
      this.clearTimer();
      // Start on a fresh macrotask: submit() returns first, and items submitted in the same tick
      // (one device frame completing several windows) still join this batch.
      this.timer = setTimeout(() => this.startBatch(), 0);
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.startBatch(), this.opts.maxDelayMs - waited);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startBatch(): void {
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.opts.maxBatch);
    this.running = this.runBatch(batch).finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    const started = this.now();
    const waits = batch.map((p) => started - p.enqueuedAt);
    for (const w of waits) this.queueWait.add(w);
    this.batches++;
    this.itemsInBatches += batch.length;
    this.histogram[batch.length] += 1;
    let results: O[];
    try {
      results = await this.opts.run(batch.map((p) => p.item));
      if (!Array.isArray(results) || results.length !== batch.length) {
        throw new Error(`batch run returned ${Array.isArray(results) ? results.length : typeof results} results for ${batch.length} items`);
      }
    } catch (err) {
      const runMs = this.now() - started;
      this.runTime.add(runMs);
      this.failed += batch.length;
      this.opts.onBatch?.({ size: batch.length, waitsMs: waits, runMs, failed: true });
      for (const p of batch) p.reject(err);
      return;
    }
    const runMs = this.now() - started;
    this.runTime.add(runMs);
    this.opts.onBatch?.({ size: batch.length, waitsMs: waits, runMs, failed: false });
    this.completed += batch.length;
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
  }
}
