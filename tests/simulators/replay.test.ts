import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readCsv } from '../../data/readers/index.js';
import { HarScorer } from '../../models/har/metrics.js';
import { ACTIVITIES, ACTIVITY_NAMES } from '../../protocol/sensor-messages.js';
import { parseScript } from '../../simulators/activity-script.js';
import { main as replayMain } from '../../simulators/replay.js';
import { replayRecording } from '../../simulators/replay-session.js';
import { SyntheticPhone } from '../../simulators/synthetic-phone.js';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

let dir: string;
let srv: LoopbackServer;

/** A csv session from a synthetic phone: `timestamp_ms,x,y,z,label`, 50 Hz. */
function writeSession(path: string, seed: number, script: string): void {
  const phone = new SyntheticPhone({ seed, script: parseScript(script), loop: false, startTimeMs: 1_700_000_000_000 });
  const seconds = parseScript(script).reduce((s, x) => s + x.seconds, 0);
  const s = phone.next(seconds * 50);
  const rows = ['timestamp_ms,x,y,z,label'];
  for (let i = 0; i < s.t.length; i++) rows.push(`${s.t[i]},${s.x[i]!.toFixed(5)},${s.y[i]!.toFixed(5)},${s.z[i]!.toFixed(5)},${s.labels[i]}`);
  writeFileSync(path, rows.join('\n') + '\n');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sensorium-replay-'));
  writeSession(join(dir, 'a.csv'), 1, 'walking:12,sitting:12');
  writeSession(join(dir, 'b.csv'), 2, 'sitting:10,walking:10');
  srv = await startLoopbackServer();
});
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('replay session', () => {
  it('streams a recording as a device and scores windows wholly inside one label', async () => {
    const [rec] = await readCsv(join(dir, 'a.csv'));
    const result = await replayRecording(rec!, { url: srv.deviceUrl, deviceId: 'replay-a', speed: 'max', encoding: 'msgpack', drainIdleMs: 500 });
    // 24 s at 50 Hz = 1200 samples -> (1200 - 128) / 64 + 1 = 17 windows.
    expect(result.windows).toHaveLength(17);
    expect(result.framesSent).toBe(Math.ceil(1200 / 13)); // 0.25 s frames of 13 samples
    const scored = result.windows.filter((w) => w.truth !== undefined);
    // Windows across the walking -> sitting change (and its 2 s transition) are not scored.
    expect(scored.length).toBeGreaterThanOrEqual(12);
    expect(scored.length).toBeLessThan(17);
    const scorer = new HarScorer(ACTIVITIES);
    for (const w of scored) scorer.add(w.truth, w.label);
    const m = scorer.result();
    expect(m.accuracy).toBe(1); // the stand-in model is right on pure walking and pure sitting
    expect(m.perClass.walking!.support + m.perClass.sitting!.support).toBe(scored.length);
    expect(result.errors).toEqual({});
  });

  it('given two URLs, goes on at the second when the first closes mid-recording', async () => {
    const [rec] = await readCsv(join(dir, 'a.csv'));
    const first = await startLoopbackServer();
    const second = await startLoopbackServer();
    try {
      const replaying = replayRecording(rec!, { url: [first.deviceUrl, second.deviceUrl], deviceId: 'replay-failover', speed: 6, drainIdleMs: 500 });
      await new Promise((r) => setTimeout(r, 1500)); // 9 s of the 24-s recording
      expect(first.server.parts.registry.size).toBe(1);
      await first.close();
      const result = await replaying;
      expect(result.reconnects).toBe(1);
      expect(result.errors).toEqual({});
      // Every sample went out (frames made while reconnecting were queued and sent on the second).
      expect(result.samplesSent).toBe(1200);
      // The second server starts a new session: the windows across the cut are lost, the rest served.
      expect(result.windows.length).toBeGreaterThanOrEqual(10);
      expect(result.windows.length).toBeLessThan(17);
    } finally {
      await first.close().catch(() => {});
      await second.close();
    }
  });

  it('paces frames at the requested speed', async () => {
    const [rec] = await readCsv(join(dir, 'b.csv'));
    const short = { ...rec!, t: rec!.t.subarray(0, 150), x: rec!.x.subarray(0, 150), y: rec!.y.subarray(0, 150), z: rec!.z.subarray(0, 150), labels: rec!.labels.slice(0, 150) };
    const t0 = performance.now();
    await replayRecording(short, { url: srv.deviceUrl, deviceId: 'replay-paced', speed: 4, drainIdleMs: 200 });
    // 3 s of recording at 4x: about 0.75 s of streaming (+ drain).
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThan(600);
    expect(elapsed).toBeLessThan(3000);
  });
});

describe('npm run simulate -- replay', () => {
  it('replays a csv folder through an in-process server and ends with a well-formed report line', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ') + '\n'));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await replayMain(['--format', 'csv', '--data', dir, '--allow-untrained', '--backend', 'wasm', '--encoding', 'json']);
    } finally {
      spy.mockRestore();
      log.mockRestore();
      err.mockRestore();
    }
    const lines = out.join('').trim().split('\n');
    const report = JSON.parse(lines[lines.length - 1]!);
    expect(report).toMatchObject({ devices: 2, errors: 0 });
    // a.csv: 17 windows, b.csv (1000 samples): 14 windows; some cross the activity change.
    expect(report.predictions).toBe(31);
    expect(report.windows).toBeGreaterThan(20);
    expect(report.windows).toBeLessThan(31);
    expect(report.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.accuracy).toBeLessThanOrEqual(1);
    expect(report.macroF1).toBeGreaterThanOrEqual(0);
    expect(Object.keys(report.perClass)).toEqual([...ACTIVITY_NAMES]); // the committed model's classes, from the welcome
    expect(report.perClass.walking.support + report.perClass.sitting.support).toBe(report.windows);
    expect(report.latencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(report.latencyMs.p95).toBeGreaterThanOrEqual(report.latencyMs.p50);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p95);
    expect(report.framesSent).toBe(Math.ceil(1200 / 13) + Math.ceil(1000 / 13));
    expect(out.join('')).toMatch(/precision\s+recall\s+f1\s+support/);
  });

  it('rejects bad options with usage errors', async () => {
    await expect(replayMain(['--format', 'csv', '--data', dir, '--speed', 'fast'])).rejects.toThrow(/--speed/);
    await expect(replayMain(['--format', 'csv', '--data', join(dir, 'missing')])).rejects.toThrow(/not found/);
    await expect(replayMain(['--format', 'hapt', '--data', dir, '--users', 'x'])).rejects.toThrow(/--users/);
  });
});
