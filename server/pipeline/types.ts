// What flows between the stages of a device's pipeline.
import type { SampleFrame } from '../../protocol/validate-sensor.js';

/** A decoded `samples` message as it arrived, before validation. */
export interface RawFrame {
  value: unknown;
  /** performance.now() when the frame arrived: latency is measured from here. */
  receivedAt: number;
  /**
   * Added to a valid frame's seq: a resumed session's new connection counts from 0 again, and its
   * frames follow the old connection's. The decoded message itself is never changed.
   */
  seqOffset?: number;
}

/** A valid frame with its arrival time. */
export interface TimedFrame extends SampleFrame {
  receivedAt: number;
}

/** Samples on the model's uniform grid, in g. */
export interface ResampledChunk {
  t: Float64Array;
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  /** The grid restarted after a pause: windows must not span it. */
  gap: boolean;
  /** Ground truth per grid sample, when the device sends labels. */
  labels?: (string | undefined)[];
  /** Arrival time of the frame that produced these samples. */
  receivedAt: number;
}

/** One model input: windowSize samples, interleaved [x, y, z] in g. */
export interface SensorWindow {
  data: Float32Array;
  /** Device-clock time of the window's last sample, ms. */
  endT: number;
  /** Arrival time of the frame that completed the window. */
  receivedAt: number;
  /** First window after the stream started or restarted after a gap (smoothing resets). */
  restart: boolean;
  truth?: string;
}

export interface ClassifiedWindow extends SensorWindow {
  /** The model's class probabilities for this window alone. */
  probs: Float32Array;
}

export interface SmoothedWindow extends ClassifiedWindow {
  /** Probabilities smoothed over recent windows (what devices and dashboards see). */
  smoothed: Float32Array;
}

/** Downsampled raw signal in g, for dashboard charts. */
export interface SignalPoints {
  t: number[];
  x: number[];
  y: number[];
  z: number[];
}
