// Stage: steadies the label shown to users by smoothing class probabilities over consecutive
// windows (exponential moving average or mean of the last k). Restarts forget the past.
import { map, type OperatorFunction } from 'rxjs';
import type { SmoothingConfig } from '../config.js';
import type { ClassifiedWindow, SmoothedWindow } from './types.js';

export function smoothProbabilities(config: SmoothingConfig): OperatorFunction<ClassifiedWindow, SmoothedWindow> {
  return (source) => {
    const smooth = makeSmoother(config);
    return source.pipe(map((w): SmoothedWindow => ({ ...w, smoothed: smooth(w.probs, w.restart) })));
  };
}

/** A stateful smoother: (probabilities, restart) -> smoothed probabilities (a new array). */
export function makeSmoother(config: SmoothingConfig): (probs: Float32Array, restart: boolean) => Float32Array {
  if (config.kind === 'none') return (probs) => probs;
  if (config.kind === 'ema') {
    const { alpha } = config;
    let state: Float32Array | undefined;
    return (probs, restart) => {
      if (restart || !state || state.length !== probs.length) {
        state = probs.slice();
      } else {
        for (let i = 0; i < probs.length; i++) state[i] = alpha * probs[i]! + (1 - alpha) * state[i]!;
      }
      return state.slice();
    };
  }
  const { k } = config;
  const recent: Float32Array[] = [];
  return (probs, restart) => {
    if (restart) recent.length = 0;
    recent.push(probs);
    if (recent.length > k) recent.shift();
    const out = new Float32Array(probs.length);
    for (const p of recent) for (let i = 0; i < out.length; i++) out[i] += p[i]! / recent.length;
    return out;
  };
}
