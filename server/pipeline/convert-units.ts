// Stage: acceleration in g, whatever the device sends. Converts in place: validated frames own
// their arrays.
import { identity, map, type OperatorFunction } from 'rxjs';
import { STANDARD_GRAVITY, type Units } from '../../protocol/sensor-messages.js';
import type { TimedFrame } from './types.js';

export function convertToG(units: Units): OperatorFunction<TimedFrame, TimedFrame> {
  if (units === 'g') return identity;
  const scale = 1 / STANDARD_GRAVITY;
  return map((frame) => {
    for (const a of [frame.x, frame.y, frame.z]) {
      for (let i = 0; i < a.length; i++) a[i] *= scale;
    }
    return frame;
  });
}
