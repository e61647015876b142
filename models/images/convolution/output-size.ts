// The output length of a sliding window: (n + 2p - k) / s + 1, which must be a whole number >= 1.
import { MatrixError } from './matrix.js';

export interface WindowGeometry {
  /** Input length along the axis. */
  n: number;
  /** Window (kernel) length. */
  k: number;
  /** Stride. */
  s: number;
  /** Zero padding added on each side. */
  p: number;
}

export class WindowSizeError extends MatrixError {
  constructor(message: string) {
    super(message);
    this.name = 'WindowSizeError';
  }
}

export function outputSize({ n, k, s, p }: WindowGeometry, axis = 'width'): number {
  for (const [name, v, min] of [
    ['size', n, 1],
    ['kernel size', k, 1],
    ['stride', s, 1],
    ['padding', p, 0],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new WindowSizeError(`${axis}: ${name} must be a whole number >= ${min} (got ${v})`);
  }
  const span = n + 2 * p - k;
  const formula = `(n + 2p - k)/s + 1 = (${n} + 2*${p} - ${k})/${s} + 1`;
  if (span < 0) throw new WindowSizeError(`${axis}: the ${k}-wide window is larger than the padded input n + 2p = ${n + 2 * p}`);
  if (span % s !== 0) {
    throw new WindowSizeError(
      `${axis}: output size ${formula} = ${(span / s + 1).toFixed(3)} is not a whole number: ` +
        `the stride ${s} must divide n + 2p - k = ${span} (it leaves ${span % s} over); change the padding or the stride`,
    );
  }
  return span / s + 1;
}
