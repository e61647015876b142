import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoPhones } from '../../simulators/demo-phones.js';
import { PhoneFleet, placementOfPhone } from '../../simulators/phone-fleet.js';
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
      expect(srv.server.parts.registry.size).toBe(4);
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
    await waitFor(() => srv.server.parts.registry.size === 0, 'devices to leave');
  });

  it('keeps at most the allowed windows in flight in closed-loop mode', async () => {
    const truths = new Set<string | undefined>();
    const fleet = await PhoneFleet.start({
      url: srv.deviceUrl,
      count: 3,
      speed: 'max',
      maxInFlightWindows: 2,
      framesPerSecond: 4,
      idPrefix: 'fleet-max',
      onPrediction: (_id, p) => truths.add(p.truth),
    });
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

  it('says where each phone is carried in its hello: mixed puts every other phone in a pocket', async () => {
    const open = vi.spyOn(srv.server.parts.sessions, 'open');
    const fleet = await PhoneFleet.start({ url: srv.deviceUrl, count: 4, placement: 'mixed', idPrefix: 'fleet-place' });
    try {
      const said = Object.fromEntries(open.mock.calls.map(([hello]) => [hello.deviceId, hello.placement]));
      expect(said).toEqual({ 'fleet-place-0001': 'pocket', 'fleet-place-0002': 'waist', 'fleet-place-0003': 'pocket', 'fleet-place-0004': 'waist' });
    } finally {
      open.mockRestore();
      await fleet.stop();
    }
    expect(placementOfPhone('pocket', 1)).toBe('pocket');
    expect(placementOfPhone('waist', 0)).toBe('waist');
  });

  it('refuses a script a placement cannot do before connecting', async () => {
    const jog = [{ activity: 'jogging' as const, seconds: 10 }];
    await expect(PhoneFleet.start({ url: srv.deviceUrl, count: 2, placement: 'mixed', script: jog })).rejects.toThrow(/waist phone cannot do/);
    await expect(PhoneFleet.start({ url: srv.deviceUrl, count: 2, script: jog })).rejects.toThrow(/waist phone cannot do/);
    const fleet = await PhoneFleet.start({ url: srv.deviceUrl, count: 2, placement: 'pocket', script: jog, idPrefix: 'fleet-jog' });
    await fleet.stop();
  });

  it('fails clearly when no phone can connect', async () => {
    await expect(PhoneFleet.start({ url: 'ws://127.0.0.1:1/ws/device', count: 2 })).rejects.toThrow(/no phone could connect/);
  });
});

describe('demo phones', () => {
  it('start in the background, stream, and stop with the returned function', async () => {
    const logs: string[] = [];
    const open = vi.spyOn(srv.server.parts.sessions, 'open');
    const stop = startDemoPhones({ url: srv.deviceUrl, count: 3, log: (m) => logs.push(m) });
    await waitFor(() => logs.some((l) => /3 synthetic phones streaming/.test(l)), 'the demo phones to report');
    expect(srv.server.parts.registry.size).toBe(3);
    // The demo includes pocket phones by default.
    expect(logs.join('\n')).toMatch(/2 in a trouser pocket, 1 at the waist/);
    expect(open.mock.calls.map(([hello]) => hello.placement).sort()).toEqual(['pocket', 'pocket', 'waist']);
    open.mockRestore();
    await stop();
    await waitFor(() => srv.server.parts.registry.size === 0, 'demo phones to leave');
  });

  it('keep retrying while the server is not up, and stop cleanly', async () => {
    const logs: string[] = [];
    const stop = startDemoPhones({ url: 'ws://127.0.0.1:1/ws/device', count: 2, retryMs: 50, log: (m) => logs.push(m) });
    await waitFor(() => logs.length > 0, 'a retry message');
    await stop();
    expect(logs[0]).toMatch(/cannot connect yet/);
  });
});

/** Runs `npm run simulate -- phones` in this process and returns its last stdout line, parsed. */
async function runPhones(argv: string[]): Promise<PhonesSummary> {
  const out: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ') + '\n'));
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await phonesMain(argv);
  } finally {
    write.mockRestore();
    log.mockRestore();
    err.mockRestore();
  }
  const lines = out.join('').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as PhonesSummary;
}

/** The fields of the phones summary line these tests read. */
type PhonesSummary = {
  predictions: number;
  framesSent: number;
  scoredWindows: number;
  placement: string;
  latencyMs: { server: { p50: number; p99: number } };
  perPlacement: Record<string, { scoredWindows: number }>;
};

describe('npm run simulate -- phones', () => {
  it('with several --url (a list or repeated), spreads the phones over them and reports reconnects and phones per URL', async () => {
    const second = await startLoopbackServer();
    try {
      const summary = await runPhones(['--count', '4', '--url', srv.deviceUrl, `--url=${second.deviceUrl}`, '--seconds', '1', '--speed', '4', '--id-prefix', 'two-urls']);
      expect(summary).toMatchObject({ phones: 4, connected: 4, reconnects: 0, resumed: 0, framesDropped: 0, perUrl: { [srv.deviceUrl]: 2, [second.deviceUrl]: 2 } });
      await expect(runPhones(['--url', `${srv.deviceUrl},http://x`, '--seconds', '1'])).rejects.toThrow("--url 'http://x' must start with ws:// or wss://");
    } finally {
      await second.close();
    }
  });

  it('streams for the given time and ends with a JSON summary line', async () => {
    const summary = await runPhones(['--count', '3', '--url', srv.deviceUrl, '--seconds', '2', '--speed', '4', '--encoding', 'msgpack', '--status-every', '1']);
    expect(summary).toMatchObject({ phones: 3, connected: 3, errors: {} });
    expect(summary.predictions).toBeGreaterThan(0);
    expect(summary.framesSent).toBeGreaterThan(100);
    expect(summary.latencyMs.server.p99).toBeGreaterThanOrEqual(summary.latencyMs.server.p50);
  });

  it('streams pocket phones that say so, and scores served labels per placement', async () => {
    const open = vi.spyOn(srv.server.parts.sessions, 'open');
    let summary;
    try {
      summary = await runPhones([
        '--count',
        '2',
        '--url',
        srv.deviceUrl,
        '--seconds',
        '2',
        '--speed',
        '8',
        '--placement',
        'pocket',
        '--labels',
        '--script',
        'jogging:4,sitting:4',
        '--id-prefix',
        'cli-pocket',
        '--status-every',
        '1',
      ]);
      expect(open.mock.calls.filter(([h]) => h.deviceId.startsWith('cli-pocket')).map(([h]) => h.placement)).toEqual(['pocket', 'pocket']);
    } finally {
      open.mockRestore();
    }
    expect(summary.placement).toBe('pocket');
    expect(Object.keys(summary.perPlacement)).toEqual(['pocket']);
    expect(summary.perPlacement.pocket.scoredWindows).toBe(summary.scoredWindows);
    expect(summary.scoredWindows).toBeGreaterThan(0);
  });

  it('rejects a bad script or url', async () => {
    await expect(phonesMain(['--script', 'flying:3'])).rejects.toThrow(/--script/);
    await expect(phonesMain(['--script', 'jogging:3'])).rejects.toThrow(/--script: the script has jogging, which a waist phone cannot do/);
    await expect(phonesMain(['--placement', 'belt'])).rejects.toThrow(/placement/);
    await expect(phonesMain(['--url', 'http://x'])).rejects.toThrow(/--url/);
  });
});
