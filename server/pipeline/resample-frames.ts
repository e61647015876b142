// Stage: frames at the device's (jittery) rate -> samples on the model's uniform grid, with
// `gap` set where a pause restarted the grid, and labels carried along when the device sends them.
import { Observable, type OperatorFunction } from 'rxjs';
import { Resampler } from '../../data/signal/resampler.js';
import { subscribeGuarded } from './guarded-subscribe.js';
import { LabelTrack } from './label-track.js';
import type { ResampledChunk, TimedFrame } from './types.js';

export function resampleFrames(targetHz: number, maxGapMs: number): OperatorFunction<TimedFrame, ResampledChunk> {
  return (source) =>
    new Observable<ResampledChunk>((subscriber) => {
      const resampler = new Resampler(targetHz, { maxGapMs });
      const labels = new LabelTrack();
      let tracking = false; // once a frame carried labels, every later frame feeds the track
      return subscribeGuarded(source, subscriber, {
        next(frame) {
          if (frame.labels) tracking = true;
          if (tracking) labels.push(frame.t, frame.labels);
          const out = resampler.push(frame.t, frame.x, frame.y, frame.z);
          if (out.t.length === 0 && !out.gap) return;
          const chunk: ResampledChunk = { t: out.t, x: out.x, y: out.y, z: out.z, gap: out.gap, receivedAt: frame.receivedAt };
          if (tracking) chunk.labels = labels.labelsAt(out.t);
          subscriber.next(chunk);
        },
      });
    });
}
