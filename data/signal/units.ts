// Unit conversion for accelerations: the platform works in g (1 g = 9.80665 m/s²).
import { STANDARD_GRAVITY, type Units } from '../../protocol/sensor-messages.js';

export const ACCEL_UNITS: readonly Units[] = ['g', 'm/s2'];

export function parseUnits(value: string): Units {
  const v = value.trim().toLowerCase().replace('²', '2').replace('m/s^2', 'm/s2');
  if (v === 'g' || v === 'm/s2') return v;
  throw new RangeError(`unknown acceleration units '${value}': use g or m/s2`);
}

/** Factor that converts a value in `units` to g. */
export function toGFactor(units: Units): number {
  return units === 'g' ? 1 : 1 / STANDARD_GRAVITY;
}

/** Converts in place and returns the array. */
export function convertToG<T extends Float32Array | Float64Array>(values: T, units: Units): T {
  const f = toGFactor(units);
  if (f !== 1) for (let i = 0; i < values.length; i++) values[i] = values[i]! * f;
  return values;
}

/**
 * Guesses the units of a recording from its mean |a| (about 1 with gravity in g, about 9.8 in
 * m/s²). Returns undefined when it cannot tell (e.g. gravity removed).
 */
export function guessUnits(x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>): Units | undefined {
  const n = x.length;
  if (n === 0) return undefined;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.hypot(x[i]!, y[i]!, z[i]!);
  const mean = sum / n;
  if (mean > 0.6 && mean < 2) return 'g';
  if (mean > 6 && mean < 20) return 'm/s2';
  return undefined;
}
