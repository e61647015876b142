// The HAR trainer end to end on a tiny synthetic HAPT-layout folder: per-epoch validation on the
// held-out user, checkpoints, --resume, and a saved model whose metadata records its origin.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../models/runtime/backend.js';
import { HarClassifier } from '../../models/har/classifier.js';
import { createRng } from '../../models/har/rng.js';

/** Each user: one experiment with a 300-sample segment of each basic activity. */
async function syntheticHapt(users: number[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'har-train-hapt-'));
  const labels: string[] = [];
  for (const [e, user] of users.entries()) {
    const rng = createRng(user);
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
    const work = await mkdtemp(join(tmpdir(), 'har-train-out-'));
    const out = join(work, 'model');
    const ckpt = join(work, 'ckpt');
    const { main } = await import('../../models/har/train.js');
    const common = ['--data', data, '--val-users', '3', '--out', out, '--checkpoint', ckpt, '--average-last', '2', '--backend', 'wasm'];

    // Two epochs, interrupted before the end (the checkpoint survives), then resumed to three.
    await captureStdout(() => main([...common, '--epochs', '3', '--stop-after', '2']));
    expect(existsSync(join(ckpt, 'state.json'))).toBe(true);
    expect(JSON.parse(await readFile(join(ckpt, 'state.json'), 'utf8')).epoch).toBe(2);
    expect(existsSync(join(out, 'model.json'))).toBe(false);
    await expect(main([...common, '--epochs', '3', '--resume', '--seed', '9'])).rejects.toThrow(/different seed/);

    const stdout = await captureStdout(() => main([...common, '--epochs', '3', '--resume']));
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.validationUsers).toEqual([3]);
    expect(Object.keys(result.robustness)).toEqual(['original', 'rate20', 'negated', 'ms2', 'tilt30']);
    expect(existsSync(ckpt)).toBe(false); // cleaned up after the final save

    const clf = await HarClassifier.load(out);
    const meta = clf.metadata!;
    expect(meta.command).toContain('--resume');
    expect((meta.data as { trainUsers: number[] }).trainUsers).toEqual([1, 2]);
    const history = (meta.extra as { history: { epoch: number; averageValAccuracy?: number }[] }).history;
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(history.filter((h) => h.averageValAccuracy !== undefined).map((h) => h.epoch)).toEqual([2, 3]);
    expect(clf.predict(new Float32Array(128 * 3), 1).length).toBe(6);
    clf.dispose();
  });
});
