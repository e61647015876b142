// `npm run eval -- har --format sensor-logger|phyphox` on exports written here in each app's
// layout (a synthetic waist phone walking then sitting, in m/s², with a hand-added label column):
// the CLI reads them and scores labelled windows with the committed model.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import { SyntheticPhone } from '../../simulators/synthetic-phone.js';

const run = promisify(execFile);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sensorium-app-exports-cli-'));
  const phone = new SyntheticPhone({
    seed: 7,
    rateHz: 50,
    startTimeMs: 0,
    script: [
      { activity: 'walking', seconds: 20 },
      { activity: 'sitting', seconds: 20 },
    ],
  });
  const s = phone.next(2000);
  const G = STANDARD_GRAVITY;
  const sensorLogger = ['time,seconds_elapsed,z,y,x,label'];
  const phyphox = ['"Time (s)";"Acceleration x (m/s^2)";"Acceleration y (m/s^2)";"Acceleration z (m/s^2)";"label"'];
  for (let i = 0; i < s.t.length; i++) {
    sensorLogger.push(`${1_700_000_000_000_000_000 + Math.round(s.t[i]! * 1e6)},${s.t[i]! / 1000},${s.z[i]! * G},${s.y[i]! * G},${s.x[i]! * G},${s.labels[i]}`);
    phyphox.push([s.t[i]! / 1000, s.x[i]! * G, s.y[i]! * G, s.z[i]! * G].map((v) => String(v).replace('.', ',')).join(';') + `;${s.labels[i]}`);
  }
  writeFileSync(join(dir, 'TotalAcceleration.csv'), sensorLogger.join('\n'));
  writeFileSync(join(dir, 'Raw Data.csv'), phyphox.join('\r\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("eval on other apps' exports", () => {
  it.each([
    ['sensor-logger', 'TotalAcceleration.csv'],
    ['phyphox', 'Raw Data.csv'],
  ])(
    '--format %s scores the labelled windows',
    async (format, file) => {
      const { stdout, stderr } = await run('npx', ['tsx', 'models/cli/eval.ts', 'har', '--format', format, '--data', join(dir, file), '--backend', 'wasm'], { cwd: process.cwd(), timeout: 120_000 });
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { n: number; accuracy: number; perClass: Record<string, { support: number }> };
      expect(stderr).not.toMatch(/warning/);
      // 20 s of each at 50 Hz: windows of 128 with hop 64 wholly inside one run.
      expect(result.perClass.walking!.support).toBeGreaterThanOrEqual(10);
      expect(result.perClass.sitting!.support).toBeGreaterThanOrEqual(10);
      expect(result.accuracy).toBeGreaterThan(0.5);
    },
    150_000,
  );
});
