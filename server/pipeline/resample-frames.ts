// Stage: frames at the device's (jittery) rate -> samples on the model's uniform grid, with
// `gap` set where a pause restarted the grid, and labels carried along when the device sends them
// (the resampler gives each grid point the label of the last sample at or before it, holding no
// more than that one label: frames going back in time cost nothing).
import { Observable, type OperatorFunction } from 'rxjs';
import { Resampler } from '../../data/signal/resampler.js';
import { subscribeGuarded } from './guarded-subscribe.js';
import type { ResampledChunk, TimedFrame } from './types.js';

export function resampleFrames(targetHz: number, maxGapMs: number): OperatorFunction<TimedFrame, ResampledChunk> {
  return (source) =>
    new Observable<ResampledChunk>((subscriber) => {
      const resampler = new Resampler(targetHz, { maxGapMs });
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
