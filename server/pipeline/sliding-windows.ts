// Stage: uniform samples -> overlapping windows of `size` samples every `hop` samples. A gap
// restarts the window (it never spans a pause). Per-sample work writes into one typed buffer;
// the only allocation is each emitted window's own copy.
import { Observable, type OperatorFunction } from 'rxjs';
import { subscribeGuarded } from './guarded-subscribe.js';
import { windowTruth } from './window-truth.js';
import type { ResampledChunk, SensorWindow } from './types.js';

export interface WindowOptions {
  size: number;
  hop: number;
  /** Share of a window's samples its majority label must cover to be the window's truth. */
  truthMinAgreement: number;
}

export function slidingWindows(opts: WindowOptions): OperatorFunction<ResampledChunk, SensorWindow> {
  const { size, hop } = opts;
  if (!Number.isInteger(size) || !Number.isInteger(hop) || hop < 1 || hop > size) {
    throw new RangeError(`need whole numbers with 1 <= hop <= size (got size ${size}, hop ${hop})`);
  }
  return (source) =>
    new Observable<SensorWindow>((subscriber) => {
      const buffer = new Float32Array(size * 3);
      const labels = new Array<string | undefined>(size);
      let filled = 0;
      let restart = true;
      let labelled = false;
      return subscribeGuarded(source, subscriber, {
        next(chunk) {
          if (chunk.gap) {
            filled = 0;
            restart = true;
          }
          if (chunk.labels) labelled = true;
          const { t, x, y, z } = chunk;
          for (let i = 0; i < t.length; i++) {
            const o = filled * 3;
            buffer[o] = x[i]!;
            buffer[o + 1] = y[i]!;
            buffer[o + 2] = z[i]!;
            if (labelled) labels[filled] = chunk.labels?.[i];
            if (++filled < size) continue;
            const window: SensorWindow = { data: buffer.slice(), endT: t[i]!, receivedAt: chunk.receivedAt, restart };
            if (labelled) {
              const truth = windowTruth(labels, size, opts.truthMinAgreement);
              if (truth !== undefined) window.truth = truth;
            }
            restart = false;
            buffer.copyWithin(0, hop * 3);
            labels.copyWithin(0, hop);
            filled = size - hop;
            subscriber.next(window);
          }
        },
      });
    });
}
