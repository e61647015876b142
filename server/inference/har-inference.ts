// The one HAR classifier every device shares, behind the dynamic batcher: windows from all
// devices that are waiting at the same time run as one model call — in this thread
// (HarClassifier, test stand-ins) or in the inference worker (WorkerClassifier).
import { DynamicBatcher, type BatcherStats, type DynamicBatcherOptions } from '../batching/dynamic-batcher.js';
import type { BatchingConfig } from '../config.js';

/**
 * What the server needs of a classifier: HarClassifier (synchronous, this thread), the
 * WorkerClassifier (asynchronous, its own thread), or a test stand-in.
 */
export interface WindowClassifier {
  readonly classes: readonly string[];
  readonly windowSize: number;
  readonly hop: number;
  readonly rateHz: number;
  /** n windows of windowSize interleaved [x,y,z] samples in g -> n * classes probabilities. */
  predict(windows: Float32Array, n: number): Float32Array | Promise<Float32Array>;
  /** True when predict runs off this thread: the batcher then keeps more batches queued in it. */
  readonly concurrent?: boolean;
  dispose(): void | Promise<void>;
}

export class HarInference {
  private readonly batcher: DynamicBatcher<Float32Array, Float32Array>;
  /** Reused model input buffer: windows are copied in, not concatenated anew per batch. */
  private readonly input: Float32Array;
  private readonly windowValues: number;

  constructor(
    readonly classifier: WindowClassifier,
    batching: BatchingConfig,
    onBatch?: DynamicBatcherOptions<Float32Array, Float32Array>['onBatch'],
  ) {
    this.windowValues = classifier.windowSize * 3;
    this.input = new Float32Array(batching.maxBatch * this.windowValues);
    // A classifier in another thread copies the input before predict() returns, so the one
    // input buffer serves overlapping batches too. Its inbox holds up to 4 batches, 2 of them
    // partial: under overload the main thread hears of finished batches late (its loop is busy
    // with sockets), and full batches waiting there keep the model working meanwhile.
    const concurrency = classifier.concurrent ? { maxConcurrent: 4, maxConcurrentPartial: 2 } : { maxConcurrent: 1 };
    this.batcher = new DynamicBatcher({ ...batching, ...concurrency, onBatch, run: (windows) => this.runBatch(windows) });
  }

  /** Class probabilities of one window (windowSize samples, interleaved x,y,z in g). */
  classify(window: Float32Array): Promise<Float32Array> {
    if (window.length !== this.windowValues) {
      return Promise.reject(new RangeError(`a window holds ${this.windowValues} values (got ${window.length})`));
    }
    return this.batcher.submit(window);
  }

  get queueDepth(): number {
    return this.batcher.queueDepth;
  }

  stats(): BatcherStats {
    return this.batcher.stats();
  }

  /** Stops accepting windows; the classifier stays (its owner disposes it). */
  close(): Promise<void> {
    return this.batcher.close();
  }

  private runBatch(windows: readonly Float32Array[]): Float32Array[] | Promise<Float32Array[]> {
    const n = windows.length;
    for (let i = 0; i < n; i++) this.input.set(windows[i]!, i * this.windowValues);
    const probs = this.classifier.predict(this.input.subarray(0, n * this.windowValues), n);
    return probs instanceof Float32Array ? this.split(probs, n) : probs.then((p) => this.split(p, n));
  }

  private split(probs: Float32Array, n: number): Float32Array[] {
    const c = this.classifier.classes.length;
    if (probs.length !== n * c) throw new Error(`the classifier returned ${probs.length} probabilities for ${n} windows of ${c} classes`);
    const out: Float32Array[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = probs.subarray(i * c, (i + 1) * c);
    return out;
  }
}
