// `npm run eval -- har --personalize SECONDS`: which samples calibrate and which windows are scored
// (splitPerson), and the CLI end to end on generated per-person csv folders.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveUntrainedHarModel } from './untrained-model-dir.js';
import type { HarLabel, Recording } from '../../data/readers/recording.js';
import { labelledWindows, toUniformRate } from '../../data/signal/windowing.js';
import { splitPerson } from '../../models/har/personalize.js';
import { initBackend } from '../../models/runtime/backend.js';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';

const run = promisify(execFile);
const SPEC = { windowSize: 128, hop: 64, rateHz: 50 };
const WINDOWS = { size: 128, hop: 64, rateHz: 50 };

/** A 50 Hz recording: segments of [label, seconds], each with its own signal. */
function recording(id: string, segments: [HarLabel, number][], t0 = 0): Recording {
  const n = segments.reduce((a, [, s]) => a + s * 50, 0);
  const rec: Recording = { id, t: new Float64Array(n), x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n), labels: [] };
  let i = 0;
  for (const [label, seconds] of segments) {
    const k = label === undefined ? 0 : ACTIVITIES.indexOf(label as never) + 1;
    for (let j = 0; j < seconds * 50; j++, i++) {
      rec.t[i] = t0 + i * 20;
      // Each class: gravity along its own direction, and its own rhythm.
      rec.x[i] = Math.cos(k) + 0.3 * Math.sin((i * (k + 1)) / 6);
      rec.y[i] = Math.sin(k) * 0.8;
      rec.z[i] = 0.4 * Math.cos(i / (3 + k));
      rec.labels.push(label);
    }
  }
  return rec;
}

describe('splitPerson', () => {
  it('calibrates on the first SECONDS of each label across files in order, and scores eval windows that avoid those samples', () => {
    const a = recording('a', [
      ['walking', 8],
      ['sitting', 30],
    ]);
    const b = recording('b', [
      ['walking', 30],
      ['stairs', 30],
    ]);
    const split = splitPerson([a, b], 10, SPEC);
    // walking: 8 s in file a, then 2 s from file b; sitting and stairs: their first 10 s.
    expect(split.calibrationSeconds).toEqual({ walking: 10, sitting: 10, stairs: 10 });
    // Calibration windows lie inside calibration samples: 8 s of walking holds 5 windows, 2 s none.
    const counts = (truths: string[]) => truths.reduce<Record<string, number>>((m, t) => ((m[t] = (m[t] ?? 0) + 1), m), {});
    expect(counts(split.calibration.truths)).toEqual({ walking: 5, sitting: 6, stairs: 6 });
    // Scored: eval's windows of a and b minus those touching the first 10 s of a label.
    const evalWindows = (r: Recording) => labelledWindows(toUniformRate(r, 50), WINDOWS);
    const expected = [
      ...evalWindows(a).filter((w) => w.label === 'sitting' && w.start >= 8 * 50 + 10 * 50),
      ...evalWindows(b).filter((w) => (w.label === 'walking' && w.start >= 2 * 50) || (w.label === 'stairs' && w.start >= 30 * 50 + 10 * 50)),
    ];
    expect(split.scored.n).toBe(expected.length);
    expect(counts(split.scored.truths)).toEqual(counts(expected.map((w) => w.label)));
    expect(split.scored.windows.length).toBe(split.scored.n * 128 * 3);
  });
});

describe('eval --personalize', () => {
  let modelDir = '';
  let dataDir = '';
  beforeAll(async () => {
    await initBackend('wasm');
    modelDir = await saveUntrainedHarModel(4, 'har-personal-model-');
    dataDir = await mkdtemp(join(tmpdir(), 'har-personal-data-'));
    for (const [p, shift] of [
      ['anna', 0],
      ['ben', 0.3],
    ] as const) {
      await mkdir(join(dataDir, p));
      const rec = recording(p, [
        ['walking', 40],
        ['sitting', 40],
        ['standing', 40],
      ]);
      const rows = ['timestamp_ms,x,y,z,label'];
      for (let i = 0; i < rec.t.length; i++) rows.push(`${rec.t[i]},${(rec.x[i]! + shift).toFixed(4)},${rec.y[i]!.toFixed(4)},${rec.z[i]!.toFixed(4)},${rec.labels[i]}`);
      await writeFile(join(dataDir, p, 'session.csv'), rows.join('\n') + '\n');
    }
  });

  const evalCli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run('npx', ['tsx', 'models/cli/eval.ts', 'har', ...args], { cwd: process.cwd(), timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      return err as { code: number; stdout: string; stderr: string };
    }
  };

  it('reports personalised and zero-shot accuracy per person on the same windows', async () => {
    const r = await evalCli(['--format', 'csv', '--data', dataDir, '--model', modelDir, '--personalize', '10', '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.backend).toBe('wasm');
    expect(out.personalizeSeconds).toBe(10);
    expect(out.persons).toBe(2);
    expect(out.perPerson.map((p: { person: string }) => p.person)).toEqual(['anna', 'ben']);
    // Per person: 3 labels x (40 s - 10 s) -> eval windows from 10 s on (start >= 500 of 2000 per run).
    const perLabel = labelledWindows(toUniformRate(recording('x', [['walking', 40]]), 50), WINDOWS).filter((w) => w.start >= 500).length;
    for (const p of out.perPerson) expect(p.n).toBe(3 * perLabel);
    expect(out.n).toBe(6 * perLabel);
    // The untrained network's features still tell these synthetic classes apart once a head is fitted.
    expect(out.accuracy).toBeGreaterThan(0.9);
    expect(out.accuracy).toBeGreaterThan(out.zeroShotAccuracy);
    for (const key of ['macroF1', 'confusion', 'perClass']) expect(out).toHaveProperty(key);
    // The guard's verdict per person, with its held-out figures (here the personal heads win: the untrained model is poor).
    for (const p of out.perPerson) {
      expect(p.kept).not.toBe('shared');
      expect(p.validation.personal.accuracy).toBeGreaterThan(p.validation.shared.accuracy);
    }
    expect(out.kept.shared + out.kept.mixed + out.kept.personal).toBe(2);
  }, 90_000);

  it('needs one subfolder per person', async () => {
    const flat = await mkdtemp(join(tmpdir(), 'har-personal-flat-'));
    await writeFile(join(flat, 'a.csv'), 'timestamp_ms,x,y,z,label\n0,0,0,1,walking\n20,0,0,1,walking\n');
    const r = await evalCli(['--format', 'csv', '--data', flat, '--model', modelDir, '--personalize', '10']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/one subfolder per person/);
  }, 60_000);
});
