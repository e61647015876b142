// The eval CLIs keep their contract: the last stdout line is one JSON object with the figures the
// issue names. Run on untrained stand-ins and a few npm-package digits (the numbers are not the
// point here; the trained figures are in the models' metadata).
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../models/runtime/backend.js';
import { lastJsonOf } from '../helpers/cli-json.js';
import { saveUntrainedImageModels } from './helpers/untrained-models.js';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await saveUntrainedImageModels();
});
afterEach(() => vi.restoreAllMocks());

async function lastJson(module: Promise<{ main(argv: string[]): Promise<void> }>, argv: string[]): Promise<Record<string, unknown>> {
  return lastJsonOf((await module).main, argv);
}

describe('eval CLIs', () => {
  it('mnist-cnn: {accuracy, n, backend}', async () => {
    const r = await lastJson(import('../../models/images/mnist-cnn/eval.js'), ['--model', join(dir, 'mnist-cnn'), '--limit', '50']);
    expect(Object.keys(r).sort()).toEqual(['accuracy', 'backend', 'n']);
    expect(r.n).toBe(50);
  });

  it('autoencoder: {psnrNoisy, psnrDenoised, n}', async () => {
    const r = await lastJson(import('../../models/images/autoencoder/eval.js'), ['--model', join(dir, 'autoencoder'), '--limit', '40']);
    expect(r).toMatchObject({ n: 40 });
    expect(typeof r.psnrNoisy).toBe('number');
    expect(typeof r.psnrDenoised).toBe('number');
  });

  it('vae: {negElbo, recon, kl, klPerDim, n}', async () => {
    const r = await lastJson(import('../../models/images/vae/eval.js'), ['--model', join(dir, 'vae'), '--limit', '30']);
    expect(r).toMatchObject({ n: 30, binarization: 'sample' });
    expect(r.klPerDim).toHaveLength(32);
    expect(r.negElbo as number).toBeCloseTo((r.recon as number) + (r.kl as number), 2);
  });

  it('cgan: {conditionalAccuracy, diversity, n}', async () => {
    const r = await lastJson(import('../../models/images/gan/eval.js'), ['--model', join(dir, 'cgan'), '--judge', join(dir, 'mnist-cnn'), '--per-label', '4', '--diversity-samples', '4']);
    expect(r).toMatchObject({ n: 40 });
    expect(r.conditionalAccuracy as number).toBeGreaterThanOrEqual(0);
    expect(r.diversity as number).toBeGreaterThan(0);
  });

  it('dcgan: {mnistScore, meanConfidence, digitBalance, diversityRatio, n, real}', async () => {
    const r = await lastJson(import('../../models/images/gan/eval-dcgan.js'), ['--model', join(dir, 'dcgan'), '--judge', join(dir, 'mnist-cnn'), '--samples', '40', '--diversity-samples', '8']);
    expect(r).toMatchObject({ n: 40 });
    const shares = r.digitShares as number[];
    expect(shares).toHaveLength(10);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    // The MNIST score lies between 1 (one class distribution for all) and 10; the real digits' figures sit beside.
    expect(r.mnistScore as number).toBeGreaterThanOrEqual(1 - 1e-3);
    expect(r.mnistScore as number).toBeLessThanOrEqual(10);
    expect(r.diversityRatio as number).toBeCloseTo((r.diversity as number) / (r.real as { diversity: number }).diversity, 3);
  });

  it('transfer: prints both accuracies', async () => {
    const r = await lastJson(import('../../models/images/transfer/eval.js'), ['--model', join(dir, 'mnist-cnn'), '--limit', '40', '--repeats', '1', '--epochs', '1', '--shots', '2']);
    expect(r).toMatchObject({ task: 'rotate180', shots: 2, repeats: 1, n: 40 });
    expect(typeof r.transfer).toBe('number');
    expect(typeof r.scratch).toBe('number');
  });

  it('a DCGAN is refused by the cgan judge and a CGAN by the dcgan judge, with clear errors', async () => {
    await expect(lastJson(import('../../models/images/gan/eval.js'), ['--model', join(dir, 'dcgan'), '--judge', join(dir, 'mnist-cnn')])).rejects.toThrow(/not a conditional generator/);
    await expect(lastJson(import('../../models/images/gan/eval-dcgan.js'), ['--model', join(dir, 'cgan'), '--judge', join(dir, 'mnist-cnn')])).rejects.toThrow(/eval -- cgan/);
  });
});
