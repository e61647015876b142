// Device messages for the tests: a hello at the tiny model's rate, and samples frames whose
// device clock runs on across frames (and across reconnects), at 50 Hz.
import type { HelloMessage, SamplesMessage } from '../../../protocol/sensor-messages.js';

export const RATE_HZ = 50;
const STEP_MS = 1000 / RATE_HZ;

export function hello(deviceId = 'phone-1', extra: Partial<HelloMessage> = {}): HelloMessage {
  return { type: 'hello', deviceId, rateHz: RATE_HZ, units: 'g', placement: 'pocket', ...extra };
}

/**
 * `count` frames of `perFrame` samples: seq from `firstSeq`, the first sample at `fromSample`
 * (counted from the device's first sample, so a resumed stream goes on where it was).
 */
export function samples(count: number, opts: { perFrame?: number; firstSeq?: number; fromSample?: number } = {}): SamplesMessage[] {
  const perFrame = opts.perFrame ?? 10;
  const out: SamplesMessage[] = [];
  for (let f = 0; f < count; f++) {
    const first = (opts.fromSample ?? 0) + f * perFrame;
    const idx = Array.from({ length: perFrame }, (_, k) => first + k);
    out.push({ type: 'samples', seq: (opts.firstSeq ?? 0) + f, t: idx.map((i) => i * STEP_MS), x: idx.map((i) => Math.sin(i / 5)), y: idx.map(() => 0), z: idx.map(() => 1) });
  }
  return out;
}
