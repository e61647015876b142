// What the ingest side needs of inference, and nothing more: the model's shape (classes, window
// length, hop, rate) and "classify this window of this device". HarInference answers it in this
// process; the bus client (server/inference/remote-inference.ts) answers it from inference
// processes elsewhere. Device sessions, calibration and dashboards depend on this, not on either.
import type { BatcherStats } from '../batching/dynamic-batcher.js';
import type { Placement } from '../../protocol/sensor-messages.js';

/** The served model's contract with the pipeline. */
export interface ModelShape {
  readonly classes: readonly string[];
  readonly windowSize: number;
  readonly hop: number;
  readonly rateHz: number;
}

/** One window's share of a batch: probabilities, and the pooled features personal heads read. */
export interface WindowResult {
  probs: Float32Array;
  /** The shared trunk's pooled features: what a device's personal head reads (server/calibration/). */
  features?: Float32Array;
}

export interface WindowInference {
  readonly model: ModelShape;
  /**
   * Probabilities (and features when the classifier gives them) of one window of windowSize
   * interleaved x,y,z samples in g. Rejects with OverloadedError when the queue is full.
   * `deviceId` keeps batching fair between devices; `placement` reaches models that read it.
   */
  classifyWithFeatures(window: Float32Array, deviceId?: string, placement?: Placement): Promise<WindowResult>;
  /** Batching figures for /api/health, dashboards and the load shedder. */
  stats(): BatcherStats;
  readonly queueDepth: number;
}
