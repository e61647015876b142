// The benchmark's light load generator speaks the real protocol: its phones are welcomed, their
// frames validate, and every window comes back as a prediction with both latencies measured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeanFleet } from '../../bench/lean-fleet.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ inferenceWorker: 'off' });
});
afterAll(async () => {
  await srv?.close();
});

describe('LeanFleet', () => {
  it('streams real-time phones that the server answers window by window', async () => {
    const fleet = await LeanFleet.start({ url: srv.wsUrl('/ws/device'), count: 3, framesPerSecond: 4, loopSeconds: 5, seed: 3 });
    try {
      expect(fleet.counters().connected).toBe(3);
      // 128 samples at 50 Hz = 2.56 s to the first window, then one per 1.28 s: two each by 5.2 s.
      await new Promise((r) => setTimeout(r, 5500)); // phones start within one hop (1.28 s) of each other
      const c = fleet.counters();
      expect(c.errors).toEqual({});
      expect(c.framesSent).toBeGreaterThanOrEqual(3 * 15);
      expect(c.samplesSent).toBe(c.framesSent * 13); // 50 Hz / 4 frames/s -> frames of round(12.5) = 13 samples
      expect(c.predictions).toBeGreaterThanOrEqual(3 * 2);
      expect(srv.server.parts.stats.totals().predictions).toBe(c.predictions);
      expect(fleet.latency.server.count).toBe(c.predictions);
      expect(fleet.latency.client.summary().p50).toBeGreaterThan(0);
    } finally {
      await fleet.stop();
    }
    expect(fleet.counters().errors).toEqual({}); // a clean stop is not counted as a lost connection
  });

  it('closed loop: keeps each phone a few windows ahead of its answers, far faster than real time', async () => {
    const fleet = await LeanFleet.start({ url: srv.wsUrl('/ws/device'), count: 2, framesPerSecond: 4, loopSeconds: 5, seed: 4, speed: 'max', maxInFlightWindows: 3 });
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const c = fleet.counters();
      // Real time would give 2 phones x 50/64 windows/s x 2 s = 3 predictions.
      expect(c.predictions).toBeGreaterThan(30);
      // Never more than 3 windows per phone unanswered: samples sent stay within reach of the answers.
      const windowsSent = Math.floor((c.samplesSent / 2 - 128) / 64) + 1;
      expect(windowsSent * 2 - c.predictions).toBeLessThanOrEqual(2 * 3);
    } finally {
      await fleet.stop();
    }
  });
});
