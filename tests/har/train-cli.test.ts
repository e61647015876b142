// The HAR trainer end to end on tiny synthetic HAPT, WISDM 2019 and MobiFall folders: per-epoch
// validation on the held-out people of each, checkpoints, --resume, and a saved model whose
// metadata records its classes (jogging from the pocket data) and origin.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../models/runtime/backend.js';
import { HarClassifier } from '../../models/har/classifier.js';
import { createRandom, type Random } from '../../lib/random.js';
import { HAR_RANDOM } from '../../models/har/augmentation.js';

/** Each user: one experiment with a 300-sample segment of each basic activity. */
async function syntheticHapt(users: number[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'har-train-hapt-'));
  const labels: string[] = [];
  for (const [e, user] of users.entries()) {
    const rng = createRandom(user, HAR_RANDOM);
    const rows: string[] = [];
    for (let a = 0; a < 6; a++) {
      labels.push(`${e + 1} ${user} ${a + 1} ${a * 300 + 1} ${a * 300 + 300}`);
      for (let k = 0; k < 300; k++) {
        const moving = a < 3 ? 0.3 * Math.sin((2 * Math.PI * (1.5 + 0.3 * a) * k) / 50) : 0;
        const g = a === 5 ? [0.1, 0.7, 0.7] : a === 3 ? [0.95, 0.25, 0.15] : [0.98, -0.15, 0];
        rows.push(g.map((v, i) => (v + (i === 0 ? moving : 0) + 0.01 * rng.gaussian()).toFixed(4)).join(' '));
      }
    }
    await writeFile(join(dir, `acc_exp${String(e + 1).padStart(2, '0')}_user${String(user).padStart(2, '0')}.txt`), rows.join('\n') + '\n');
  }
  await writeFile(join(dir, 'labels.txt'), labels.join('\n') + '\n');
  return dir;
}

/** A phone in a pocket: gravity along y standing, across it sitting; moving classes sway. */
function pocketSample(code: string, k: number, rateHz: number, rng: Random): [number, number, number] {
  const f = { walk: 1.8, jog: 2.8, stairs: 1.5 };
  const hz = code === 'jog' ? f.jog : code === 'walk' ? f.walk : code === 'stairs' ? f.stairs : 0;
  const sway = hz ? (code === 'jog' ? 0.8 : 0.35) * Math.sin((2 * Math.PI * hz * k) / rateHz) : 0;
  const g = code === 'sit' ? [0.1, 0.2, 0.97] : [0.1, 0.98, 0.1];
  return [g[0]! + 0.01 * rng.gaussian(), g[1]! + sway + 0.01 * rng.gaussian(), g[2]! + 0.01 * rng.gaussian()];
}

/** WISDM 2019 phone files (20 Hz, ns clock, m/s²): 15 s of A walking, B jogging, C stairs, D sitting, E standing. */
async function syntheticWisdm(users: number[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'har-train-wisdm-'));
  for (const user of users) {
    const rng = createRandom(user, HAR_RANDOM);
    const lines: string[] = [];
    let t = 1e14;
    for (const [code, kind] of [
      ['A', 'walk'],
      ['B', 'jog'],
      ['C', 'stairs'],
      ['D', 'sit'],
      ['E', 'stand'],
    ] as const) {
      for (let k = 0; k < 300; k++) {
        t += 50_000_000;
        lines.push(
          `${user},${code},${t},${pocketSample(kind, k, 20, rng)
            .map((v) => (v * 9.80665).toFixed(5))
            .join(',')};`,
        );
      }
      t += 5e9;
    }
    await writeFile(join(dir, `data_${user}_accel_phone.txt`), lines.join('\n') + '\n');
  }
  return dir;
}

/** MobiFall trials (~90 Hz, ns clock, m/s²): 12 s each of WAL, JOG, STD. */
async function syntheticMobiFall(users: number[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'har-train-mobifall-'));
  for (const user of users) {
    const rng = createRandom(100 + user, HAR_RANDOM);
    for (const [code, kind] of [
      ['WAL', 'walk'],
      ['JOG', 'jog'],
      ['STD', 'stand'],
    ] as const) {
      const rows = ['#Activity: 1 - ' + code + ' - x - 5m', `#Subject ID: ${user}`, '@DATA'];
      let t = 5e12;
      for (let k = 0; k < 1100; k++) {
        t += 11_000_000;
        rows.push(
          `${t}, ${pocketSample(kind, k, 1000 / 11, rng)
            .map((v) => (v * 9.80665).toFixed(5))
            .join(', ')}`,
        );
      }
      await mkdir(join(dir, `sub${user}`, 'ADL', code), { recursive: true });
      await writeFile(join(dir, `sub${user}`, 'ADL', code, `${code}_acc_${user}_1.txt`), rows.join('\n') + '\n');
    }
  }
  return dir;
}

async function captureStdout(body: () => Promise<void>): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await body();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('npm run train -- har', () => {
  it('trains, checkpoints, resumes and saves a loadable model with its provenance', async () => {
    await initBackend('wasm');
    const data = await syntheticHapt([1, 2, 3]);
    const wisdm = await syntheticWisdm([1601, 1602]);
    const mobifall = await syntheticMobiFall([2, 3]);
    const work = await mkdtemp(join(tmpdir(), 'har-train-out-'));
    const out = join(work, 'model');
    const ckpt = join(work, 'ckpt');
    const { main } = await import('../../models/har/train.js');
    const common = [
      '--data',
      data,
      '--val-users',
      '3',
      '--wisdm',
      wisdm,
      '--wisdm-val-users',
      '1602',
      '--mobifall',
      mobifall,
      '--mobifall-val-users',
      '3',
      '--out',
      out,
      '--checkpoint',
      ckpt,
      '--average-last',
      '2',
      '--backend',
      'wasm',
    ];

    // Two epochs, interrupted before the end (the checkpoint survives), then resumed to three.
    await captureStdout(() => main([...common, '--epochs', '3', '--stop-after', '2']));
    expect(existsSync(join(ckpt, 'state.json'))).toBe(true);
    expect(JSON.parse(await readFile(join(ckpt, 'state.json'), 'utf8')).epoch).toBe(2);
    expect(existsSync(join(out, 'model.json'))).toBe(false);
    await expect(main([...common, '--epochs', '3', '--resume', '--seed', '9'])).rejects.toThrow(/different seed/);

    const stdout = await captureStdout(() => main([...common, '--epochs', '3', '--resume']));
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.classes).toEqual(['walking', 'upstairs', 'downstairs', 'sitting', 'standing', 'lying', 'jogging']);
    expect(result.validationUsers).toEqual({ hapt: [3], wisdm2019: [1602], mobifall: [3] });
    expect(Object.keys(result.perDataset)).toEqual(['hapt (waist)', 'hapt (unknown)', 'wisdm2019 (pocket)', 'wisdm2019 (unknown)', 'mobifall (pocket)', 'mobifall (unknown)']);
    expect(Object.keys(result.robustness)).toEqual(['rate20', 'negated', 'tilt30']);
    expect(existsSync(ckpt)).toBe(false); // cleaned up after the final save

    const clf = await HarClassifier.load(out);
    const meta = clf.metadata!;
    expect(meta.command).toBe(`npm run train -- har ${common.slice(0, 12).join(' ')} --average-last 2 --backend wasm --epochs 3`);
    const datasets = (meta.data as { datasets: { dataset: string; trainUsers: number[]; validationUsers: number[]; placement: string }[] }).datasets;
    expect(datasets.map((d) => [d.dataset, d.trainUsers, d.validationUsers, d.placement])).toEqual([
      ['hapt', [1, 2], [3], 'waist'],
      ['wisdm2019', [1601], [1602], 'pocket'],
      ['mobifall', [2], [3], 'pocket'],
    ]);
    const history = (meta.metrics as { history: { epoch: number; averageValAccuracy?: number }[] }).history;
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(history.filter((h) => h.averageValAccuracy !== undefined).map((h) => h.epoch)).toEqual([2, 3]);
    expect(clf.predict(new Float32Array(128 * 3), 1, 'pocket').length).toBe(7);
    clf.dispose();
  });
});
