// The one HAR classifier every device shares, behind the dynamic batcher: windows from all
// devices that are waiting at the same time run as one model call — in this thread
// (HarClassifier, test stand-ins) or in the inference worker (WorkerClassifier).
import { DynamicBatcher, type BatcherStats, type DynamicBatcherOptions } from '../batching/dynamic-batcher.js';
import type { BatchingConfig } from '../config.js';
import type { HeadWeights } from '../../models/har/personal-head.js';
import type { Placement } from '../../protocol/sensor-messages.js';
import type { ModelShape, WindowInference, WindowResult } from './window-inference.js';

/** Where each window's phone is, as its device said (undefined: unknown). */
export type WindowPlacements = readonly (Placement | undefined)[];

/** One queued window and where its device carries the phone (the model may read it). */
interface QueuedWindow {
  window: Float32Array;
  placement?: Placement;
}

/** A batch's probabilities, and (classifiers that can) the final layer's input features per window. */
export interface BatchResult {
  probs: Float32Array;
  features?: Float32Array;
  featureSize?: number;
}

export type { WindowResult } from './window-inference.js';

/**
 * What the server needs of a classifier: HarClassifier (synchronous, this thread), the
 * WorkerClassifier (asynchronous, its own thread), or a test stand-in.
 */
export interface WindowClassifier {
  readonly classes: readonly string[];
  readonly windowSize: number;
  readonly hop: number;
  readonly rateHz: number;
  /**
   * n windows of windowSize interleaved [x,y,z] samples in g -> n * classes probabilities.
   * `placements` (one per window) reach models that read the placement; others ignore them.
   */
  predict(windows: Float32Array, n: number, placements?: WindowPlacements): Float32Array | Promise<Float32Array>;
  /**
   * Probabilities and the final layer's input features in one model call, so the shared trunk
   * stays batched across devices and only personal heads run per device. Optional.
   */
  predictWithFeatures?(windows: Float32Array, n: number, placements?: WindowPlacements): BatchResult | Promise<BatchResult>;
  /** The shared head (final Dense layer) personal heads start from; absent: no calibration. */
  headWeights?(): HeadWeights;
  /** True when predict runs off this thread: the batcher then keeps more batches queued in it. */
  readonly concurrent?: boolean;
  dispose(): void | Promise<void>;
}

export class HarInference implements WindowInference {
  private readonly batcher: DynamicBatcher<QueuedWindow, WindowResult>;
  /** Reused model input buffer: windows are copied in, not concatenated anew per batch. */
  private readonly input: Float32Array;
  private readonly windowValues: number;

  constructor(
    readonly classifier: WindowClassifier,
    batching: BatchingConfig,
    onBatch?: DynamicBatcherOptions<QueuedWindow, WindowResult>['onBatch'],
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

  get model(): ModelShape {
    return this.classifier;
  }

  /**
   * Class probabilities of one window (windowSize samples, interleaved x,y,z in g). `deviceId`
   * makes the queue fair: a device with a backlog gives up its own windows when the queue is
   * full, not its neighbours', and takes only its share of each batch. `placement`: where the
   * device said the phone is (the hello's), for models that read it.
   */
  classify(window: Float32Array, deviceId?: string, placement?: Placement): Promise<Float32Array> {
    return this.classifyWithFeatures(window, deviceId, placement).then((r) => r.probs);
  }

  /** Probabilities and, when the classifier gives them, the window's pooled features. */
  classifyWithFeatures(window: Float32Array, deviceId?: string, placement?: Placement): Promise<WindowResult> {
    if (window.length !== this.windowValues) {
      return Promise.reject(new RangeError(`a window holds ${this.windowValues} values (got ${window.length})`));
    }
    return this.batcher.submit(placement === undefined ? { window } : { window, placement }, deviceId);
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

  private runBatch(items: readonly QueuedWindow[]): WindowResult[] | Promise<WindowResult[]> {
    const n = items.length;
    for (let i = 0; i < n; i++) this.input.set(items[i]!.window, i * this.windowValues);
    const input = this.input.subarray(0, n * this.windowValues);
    const placements = items.some((q) => q.placement !== undefined) ? items.map((q) => q.placement) : undefined;
    const c = this.classifier;
    const result = c.predictWithFeatures ? c.predictWithFeatures(input, n, placements) : c.predict(input, n, placements);
    return result instanceof Promise ? result.then((r) => this.split(r, n)) : this.split(result, n);
  }

  private split(result: Float32Array | BatchResult, n: number): WindowResult[] {
    const { probs, features, featureSize = 0 } = result instanceof Float32Array ? { probs: result } : result;
    const c = this.classifier.classes.length;
    if (probs.length !== n * c) throw new Error(`the classifier returned ${probs.length} probabilities for ${n} windows of ${c} classes`);
    const out: WindowResult[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r: WindowResult = { probs: probs.subarray(i * c, (i + 1) * c) };
      if (features && featureSize > 0) r.features = features.subarray(i * featureSize, (i + 1) * featureSize);
      out[i] = r;
    }
    return out;
  }
}
