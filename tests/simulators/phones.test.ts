import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoPhones } from '../../simulators/demo-phones.js';
import { PhoneFleet } from '../../simulators/phone-fleet.js';
import { main as phonesMain } from '../../simulators/phones.js';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

let srv: LoopbackServer;
beforeAll(async () => {
  srv = await startLoopbackServer();
});
afterAll(async () => {
  await srv?.close();
});

async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('phone fleet', () => {
  it('streams real phones at a multiple of real time and gets predictions with truth', async () => {
    const truths: (string | undefined)[] = [];
    const fleet = await PhoneFleet.start({ url: srv.deviceUrl, count: 4, speed: 5, labels: true, idPrefix: 'fleet-rt', onPrediction: (_id, p) => truths.push(p.truth) });
    try {
      expect(srv.server.ctx.registry.size).toBe(4);
      await waitFor(() => fleet.counters().predictions >= 12, '12 predictions');
      const c = fleet.counters();
      expect(c).toMatchObject({ phones: 4, connected: 4, errors: {} });
      // 10 frames per device-second of 5 samples each.
      expect(c.samplesSent).toBe(c.framesSent * 5);
      expect(fleet.latency.server.count).toBe(c.predictions);
      expect(truths.some((t) => t !== undefined)).toBe(true);
    } finally {
      await fleet.stop();
    }
    await waitFor(() => srv.server.ctx.registry.size === 0, 'devices to leave');
  });

  it('keeps at most the allowed windows in flight in closed-loop mode', async () => {
    const truths = new Set<string | undefined>();
    const fleet = await PhoneFleet.start({ url: srv.deviceUrl, count: 3, speed: 'max', maxInFlightWindows: 2, framesPerSecond: 4, idPrefix: 'fleet-max', onPrediction: (_id, p) => truths.add(p.truth) });
    try {
      await waitFor(() => fleet.counters().predictions >= 60, '60 predictions');
      const c = fleet.counters();
      // Per phone: samples sent <= first window + (answered + in flight) hops + one frame.
      const bound = 3 * (128 + (c.predictions / 3 + 2 + 1) * 64 + 13);
      expect(c.samplesSent).toBeLessThanOrEqual(bound);
      expect(c.errors).toEqual({});
      expect([...truths]).toEqual([undefined]); // no labels sent, so no truth comes back
    } finally {
      await fleet.stop();
    }
  });

  it('fails clearly when no phone can connect', async () => {
    await expect(PhoneFleet.start({ url: 'ws://127.0.0.1:1/ws/device', count: 2 })).rejects.toThrow(/no phone could connect/);
  });
});

describe('demo phones', () => {
  it('start in the background, stream, and stop with the returned function', async () => {
    const logs: string[] = [];
    const stop = startDemoPhones({ url: srv.deviceUrl, count: 3, log: (m) => logs.push(m) });
    await waitFor(() => logs.some((l) => /3 synthetic phones streaming/.test(l)), 'the demo phones to report');
    expect(srv.server.ctx.registry.size).toBe(3);
    await stop();
    await waitFor(() => srv.server.ctx.registry.size === 0, 'demo phones to leave');
  });

  it('keep retrying while the server is not up, and stop cleanly', async () => {
    const logs: string[] = [];
    const stop = startDemoPhones({ url: 'ws://127.0.0.1:1/ws/device', count: 2, retryMs: 50, log: (m) => logs.push(m) });
    await waitFor(() => logs.length > 0, 'a retry message');
    await stop();
    expect(logs[0]).toMatch(/cannot connect yet/);
  });
});

describe('npm run simulate -- phones', () => {
  it('streams for the given time and ends with a JSON summary line', async () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ') + '\n'));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await phonesMain(['--count', '3', '--url', srv.deviceUrl, '--seconds', '2', '--speed', '4', '--encoding', 'msgpack', '--status-every', '1']);
    } finally {
      write.mockRestore();
      log.mockRestore();
      err.mockRestore();
    }
    const lines = out.join('').trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]!);
    expect(summary).toMatchObject({ phones: 3, connected: 3, errors: {} });
    expect(summary.predictions).toBeGreaterThan(0);
    expect(summary.framesSent).toBeGreaterThan(100);
    expect(summary.latencyMs.server.p99).toBeGreaterThanOrEqual(summary.latencyMs.server.p50);
  });

  it('rejects a bad script or url', async () => {
    await expect(phonesMain(['--script', 'flying:3'])).rejects.toThrow(/--script/);
    await expect(phonesMain(['--url', 'http://x'])).rejects.toThrow(/--url/);
  });
});
