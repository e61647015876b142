// The one HAR classifier every device shares, behind the dynamic batcher: windows from all
// devices that are waiting at the same time run as one model call.
import type { HarClassifier } from '../../models/har/classifier.js';
import { DynamicBatcher, type BatcherStats, type DynamicBatcherOptions } from '../batching/dynamic-batcher.js';
import type { BatchingConfig } from '../config.js';

/** What the server needs of a classifier (HarClassifier; tests may pass a stand-in). */
export type WindowClassifier = Pick<HarClassifier, 'classes' | 'windowSize' | 'hop' | 'rateHz' | 'predict' | 'dispose'>;

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
    this.batcher = new DynamicBatcher({ ...batching, onBatch, run: (windows) => this.runBatch(windows) });
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

  private runBatch(windows: readonly Float32Array[]): Float32Array[] {
    const n = windows.length;
    for (let i = 0; i < n; i++) this.input.set(windows[i]!, i * this.windowValues);
    const probs = this.classifier.predict(this.input.subarray(0, n * this.windowValues), n);
    const c = this.classifier.classes.length;
    const out: Float32Array[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = probs.subarray(i * c, (i + 1) * c);
    return out;
  }
}
