// Stage: each window -> class probabilities through the shared inference batcher. Every window
// is submitted as soon as it arrives (so one device's burst can fill a batch), while results
// are emitted strictly in window order. A window that cannot be classified (queue full, batch
// failed) is dropped and reported; the stream goes on.
import { EMPTY, concatMap, from, map, of, type OperatorFunction } from 'rxjs';
import type { ClassifiedWindow, SensorWindow } from './types.js';

export type ClassifyFn = (window: Float32Array) => Promise<Float32Array>;

type Outcome = { ok: true; probs: Float32Array } | { ok: false; err: unknown };

export function classifyWindows(classify: ClassifyFn, onFailure: (err: unknown, window: SensorWindow) => void): OperatorFunction<SensorWindow, ClassifiedWindow> {
  return (source) => {
    // A dropped restart window hands its restart flag on, so smoothing still resets.
    let carryRestart = false;
    return source.pipe(
      // Submit now; settle into an outcome at once so no rejection sits unhandled in the queue…
      map((window) => ({
        window,
        outcome: classify(window.data).then(
          (probs): Outcome => ({ ok: true, probs }),
          (err: unknown): Outcome => ({ ok: false, err }),
        ),
      })),
      // …and emit in window order.
      concatMap(({ window, outcome }) => from(outcome).pipe(concatMap((o) => (o.ok ? of(withProbs(window, o.probs)) : failed(window, o.err))))),
    );

    function withProbs(window: SensorWindow, probs: Float32Array): ClassifiedWindow {
      const restart = window.restart || carryRestart;
      carryRestart = false;
      return { ...window, restart, probs };
    }

    function failed(window: SensorWindow, err: unknown) {
      if (window.restart) carryRestart = true;
      onFailure(err, window);
      return EMPTY;
    }
  };
}
