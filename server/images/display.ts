// Turning arbitrary real-valued maps (convolution outputs, feature maps) into 0..255 pixels.
export const DISPLAY_SCALES = ['clamp', 'abs', 'minmax'] as const;
export type DisplayScale = (typeof DISPLAY_SCALES)[number];

/**
 * 'clamp': round and clip to 0..255 (right for blur/sharpen/identity); 'abs': magnitude, clipped
 * (edges of both signs); 'minmax': stretch the smallest value to 0 and the largest to 255.
 */
export function toDisplayBytes(values: ArrayLike<number>, scale: DisplayScale): Uint8Array {
  const out = new Uint8Array(values.length);
  let lo = Infinity;
  let hi = -Infinity;
  if (scale === 'minmax') {
    for (let i = 0; i < values.length; i++) {
      lo = Math.min(lo, values[i]!);
      hi = Math.max(hi, values[i]!);
    }
  }
  const span = hi - lo || 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const d = scale === 'minmax' ? ((v - lo) / span) * 255 : scale === 'abs' ? Math.abs(v) : v;
    out[i] = Math.round(Math.min(255, Math.max(0, d)));
  }
  return out;
}
