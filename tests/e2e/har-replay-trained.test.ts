// End to end with the committed HAR model: labelled sessions written as csv (m/s², 25 Hz, like a
// phone other than the study's) go through the replay CLI -> real WebSocket clients -> a real
// server on loopback -> the trained model, and the report scores the predictions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeCsv } from '../../data/readers/csv.js';
import type { HarLabel } from '../../data/readers/recording.js';
import { ACTIVITIES, type Activity } from '../../protocol/sensor-messages.js';
import { parseScript } from '../../simulators/activity-script.js';
import { main as replayMain } from '../../simulators/replay.js';
import { SyntheticPhone } from '../../simulators/synthetic-phone.js';

let dir: string;

/** One session: every activity for 20 s, sampled at `rateHz`, labels per sample. */
async function writeSession(path: string, seed: number, rateHz: number): Promise<void> {
  const script = parseScript(ACTIVITIES.map((a) => `${a}:20`).join(','));
  const phone = new SyntheticPhone({ seed, rateHz, script, loop: false, startTimeMs: 1_700_000_000_000 });
  const s = phone.next(20 * ACTIVITIES.length * rateHz);
  // Transitions between activities are written unlabelled: they are not scored.
  const labels: HarLabel[] = s.labels.map((l) => ((ACTIVITIES as readonly string[]).includes(l) ? (l as Activity) : undefined));
  await writeCsv(path, { t: s.t, x: s.x, y: s.y, z: s.z, labels }, { units: 'm/s2' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sensorium-e2e-'));
  await writeSession(join(dir, 'phone-a.csv'), 11, 25);
  await writeSession(join(dir, 'phone-b.csv'), 12, 25);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replay through the server with the committed HAR model', () => {
  it('recognises labelled activities streamed at 25 Hz in m/s²', async () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ') + '\n'));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // No --allow-untrained: this fails if models/trained/har is missing.
      await replayMain(['--format', 'csv', '--units', 'm/s2', '--data', dir, '--backend', 'wasm', '--encoding', 'msgpack']);
    } finally {
      write.mockRestore();
      log.mockRestore();
      err.mockRestore();
    }
    const lines = out.join('').trim().split('\n');
    const report = JSON.parse(lines[lines.length - 1]!);
    expect(report).toMatchObject({ devices: 2, errors: 0 });
    // 2 sessions x 6 activities x 20 s: about 2 x 6 x 14 windows wholly inside one activity.
    expect(report.windows).toBeGreaterThan(140);
    expect(report.accuracy).toBeGreaterThan(0.8);
    for (const activity of ACTIVITIES) expect(report.perClass[activity].support, activity).toBeGreaterThan(10);
    expect(report.latencyMs.p99).toBeGreaterThan(0);
  });
});
