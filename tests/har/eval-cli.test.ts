import { describe, expect, it, beforeAll } from 'vitest';
import { saveUntrainedHarModel } from './untrained-model-dir.js';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { initBackend } from '../../models/runtime/backend.js';
import { ACTIVITIES, STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';

const run = promisify(execFile);

async function evalCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'models/cli/eval.ts', 'har', ...args], { cwd: process.cwd(), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

let modelDir = '';
let haptDir = '';
let csvDir = '';

beforeAll(async () => {
  await initBackend('wasm');
  modelDir = await saveUntrainedHarModel(2, 'har-eval-model-');

  // hapt layout: one experiment, six 400-sample segments (activities 1-6) and a transition.
  haptDir = await mkdtemp(join(tmpdir(), 'har-eval-hapt-'));
  const rows: string[] = [];
  for (let i = 0; i < 2900; i++) rows.push(`${(1 + 0.2 * Math.sin(i / 5)).toFixed(4)} ${(0.1 * Math.cos(i / 9)).toFixed(4)} 0.05`);
  await writeFile(join(haptDir, 'acc_exp01_user07.txt'), rows.join('\n') + '\n');
  const labels = ACTIVITIES.map((_, a) => `1 7 ${a + 1} ${a * 450 + 1} ${a * 450 + 400}`);
  labels.push('1 7 8 2701 2900'); // a transition: never scored
  await writeFile(join(haptDir, 'labels.txt'), labels.join('\n') + '\n');

  // csv: 100 Hz in m/s², 6 s of 'stairs', 1 s of 'walking', 6 s of an unknown label.
  csvDir = await mkdtemp(join(tmpdir(), 'har-eval-csv-'));
  const csv = ['timestamp_ms,x,y,z,label'];
  for (let i = 0; i < 1300; i++) {
    const label = i < 600 ? 'stairs' : i < 700 ? 'walking' : 'cycling';
    csv.push(`${i * 10},${(STANDARD_GRAVITY * (1 + 0.3 * Math.sin(i / 8))).toFixed(4)},0.5,0.2,${label}`);
  }
  await writeFile(join(csvDir, 'session.csv'), csv.join('\n') + '\n');
});

describe('npm run eval -- har', () => {
  it('scores hapt folders: windows wholly inside basic-activity segments, a report, and a JSON last line', async () => {
    const r = await evalCli(['--format', 'hapt', '--data', haptDir, '--model', modelDir, '--users', '7']);
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(Object.keys(j).slice(0, 9)).toEqual(['model', 'backend', 'placement', 'n', 'accuracy', 'macroF1', 'classes', 'perClass', 'confusion']);
    expect(j.backend).toBe('wasm');
    expect(j.placement).toBe('waist'); // hapt says where its phones were
    expect(j.n).toBe(6 * 5); // 400-sample segments hold windows at 0, 64, 128, 192, 256
    expect(j.classes).toEqual([...ACTIVITIES]);
    const confusion = j.confusion as number[][];
    expect(confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([5, 5, 5, 5, 5, 5]);
    const trace = confusion.reduce((a, row, i) => a + row[i]!, 0);
    expect(j.accuracy).toBeCloseTo(trace / 30, 4);
    expect(r.stdout).toMatch(/confusion \(rows: truth, columns: predicted\)/);
  });

  it('scores csv in m/s² at 100 Hz, with stairs as its own row and unknown labels ignored', async () => {
    const r = await evalCli(['--format', 'csv', '--data', join(csvDir, 'session.csv'), '--units', 'm/s2', '--placement', 'pocket', '--model', modelDir]);
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(j.placement).toBe('pocket');
    // 600 samples at 100 Hz = 300 at 50 Hz: windows at 0, 64 and 128 (stairs); the walking second holds none.
    expect(j.n).toBe(3);
    expect(j.confusionRows).toEqual([...ACTIVITIES, 'stairs']);
    expect((j.perClass as Record<string, { support: number }>).stairs!.support).toBe(3);
    expect(r.stderr).not.toMatch(/warning/);
  });

  it('fails clearly on usage and data errors', async () => {
    // In-process (the same main() the CLI runs): usage errors are CliError (exit code 2).
    const { main } = await import('../../models/har/eval.js');
    const { CliError } = await import('../../cli/args.js');
    await expect(main(['--data', haptDir])).rejects.toThrow(/--format is required/);
    await expect(main(['--format', 'hapt', '--data', haptDir, '--units', 'm/s2', '--model', modelDir])).rejects.toBeInstanceOf(CliError);
    await expect(main(['--format', 'csv', '--data', csvDir, '--users', '1', '--model', modelDir])).rejects.toThrow(/--users applies to hapt, wisdm2019, mobifall only/);
    await expect(main(['--format', 'csv', '--data', join(csvDir, 'nope.csv'), '--model', modelDir])).rejects.toThrow(/csv path not found/);
    await expect(main(['--format', 'csv', '--data', csvDir, '--placement', 'trouser', '--model', modelDir])).rejects.toThrow(/placement/);
    await expect(main(['--format', 'hapt', '--data', haptDir, '--model', join(csvDir, 'no-model')])).rejects.toThrow(/no model at/);
    await expect(main(['--format', 'hapt', '--data', haptDir, '--users', '3', '--model', modelDir])).rejects.toThrow(/no recordings for user\(s\) 3/);
  });
});
