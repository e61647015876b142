// DeviceRateLimits (issue 13, finding 1): buckets by device id outlive connections and are
// forgotten only once full again (forgetting then loses nothing), or beyond the id cap.
import { describe, expect, it } from 'vitest';
import { DeviceRateLimits } from '../../server/devices/device-rate-limits.js';

function limits(maxDevices?: number) {
  let now = 0;
  const store = new DeviceRateLimits({ samplesPerSec: 100, burstSamples: 1000, framesPerSec: 10, burstFrames: 20, maxDevices, now: () => now });
  return { store, advance: (ms: number) => (now += ms) };
}

describe('DeviceRateLimits', () => {
  it('gives a returning device the buckets it left, drained as they were', () => {
    const { store, advance } = limits();
    expect(store.of('a').samples.take(1000)).toBe(true);
    advance(1000); // 100 back
    expect(store.of('a').samples.take(200)).toBe(false);
    expect(store.of('a').samples.take(100)).toBe(true);
    expect(store.of('b').samples.take(1000)).toBe(true); // another id: its own burst
  });

  it('forgets buckets that are full again, and keeps drained ones, when it sweeps (every 10 s)', () => {
    const { store, advance } = limits();
    store.of('idle');
    advance(5_000);
    store.of('drained').samples.take(1000);
    advance(5_000); // drained: 500 of 1000 back
    store.of('x'); // sweeps: idle is full (forgotten), drained is not (kept)
    expect(store.size).toBe(2);
    expect(store.of('drained').samples.take(600)).toBe(false);
    advance(10_000);
    store.of('y'); // sweeps: everything else is full again
    expect(store.size).toBe(1);
  });

  it('holds at most maxDevices ids', () => {
    const { store } = limits(100);
    for (let i = 0; i < 1000; i++) store.of(`d${i}`).samples.take(10);
    expect(store.size).toBeLessThanOrEqual(100);
  });
});
