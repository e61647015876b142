// Stage: frames at the device's (jittery) rate -> samples on the model's uniform grid, with
// `gap` set where a pause restarted the grid, and labels carried along when the device sends them
// (the resampler gives each grid point the label of the last sample at or before it, holding no
// more than that one label: frames going back in time cost nothing). Grid points per input
// sample are bounded (gridPointsPerSample): a device cannot multiply its samples into windows by
// spacing them just under maxGapMs apart.
import { Observable, type OperatorFunction } from 'rxjs';
import { Resampler } from '../../data/signal/resampler.js';
import { subscribeGuarded } from './guarded-subscribe.js';
import type { ResampledChunk, TimedFrame } from './types.js';

/** Jitter allowance over the grid points a device's declared rate needs per sample. */
export const GRID_POINTS_TOLERANCE = 1.5;
/** Fewest grid points per sample any device is allowed (devices at or above the grid's rate need one). */
export const MIN_GRID_POINTS_PER_SAMPLE = 2;

/**
 * Grid points (at targetHz) a device declaring `deviceRateHz` may get per sample, on average:
 * what its rate needs with room for jitter, at least 2 (a device slower than it declared still
 * streams). 1.5 for 50 Hz devices on the 50 Hz grid, 7.5 for 10 Hz ones.
 */
export function gridPointsPerSample(targetHz: number, deviceRateHz: number): number {
  return Math.max(MIN_GRID_POINTS_PER_SAMPLE, (GRID_POINTS_TOLERANCE * targetHz) / deviceRateHz);
}

export function resampleFrames(targetHz: number, maxGapMs: number, maxPointsPerSample?: number): OperatorFunction<TimedFrame, ResampledChunk> {
  return (source) =>
    new Observable<ResampledChunk>((subscriber) => {
      const resampler = new Resampler(targetHz, { maxGapMs, maxPointsPerSample });
      let tracking = false; // once a frame carried labels, every later chunk has labels (undefined where unknown)
      return subscribeGuarded(source, subscriber, {
        next(frame) {
          if (frame.labels) tracking = true;
          const labels = tracking ? (frame.labels ?? new Array<undefined>(frame.t.length)) : undefined;
          const out = resampler.push(frame.t, frame.x, frame.y, frame.z, labels);
          if (out.t.length === 0 && !out.gap) return;
          const chunk: ResampledChunk = { t: out.t, x: out.x, y: out.y, z: out.z, gap: out.gap, receivedAt: frame.receivedAt };
          if (out.labels) chunk.labels = out.labels;
          subscriber.next(chunk);
        },
      });
    });
}
