// Trains a VAE with a custom loop: optimizer.minimize on the batch mean of -ELBO (reconstruction
// by the reparameterization trick + analytic KL), on dynamically binarized digits. Saves a
// checkpoint and a sheet of decoded prior samples per epoch, then evaluates on the test set.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { printResultJson, roundDeep } from '../../../cli/report.js';
import { imageBatch } from '../shared/batches.js';
import { saveModelGroup } from '../shared/model-group.js';
import { deriveSeed } from '../../../lib/random.js';
import { releaseRun, resumeOrCreate, runProvenance, setupTrainingRun, trainingRecord, historyRecord } from '../shared/run-setup.js';
import { writeSampleGrid } from '../shared/sample-grid.js';
import { trainSpec } from '../shared/train-cli.js';
import { trainEpochs } from '../shared/train-epochs.js';
import { binarize, BINARIZATIONS, type Binarization } from './binarize.js';
import { evaluateElbo, EVAL_SEED } from './evaluate.js';
import { negElboLoss } from './loss.js';
import { buildVae, type Vae, type VaeConfig } from './model.js';

/** The options of `npm run train -- vae|vae-2d`. */
export function vaeTrainSpec(name: 'vae' | 'vae-2d', config: VaeConfig) {
  return trainSpec(
    name,
    `Train the convolutional VAE with a ${config.latentDim}-D latent space on binarized MNIST.`,
    { epochs: 20, batchSize: 128 },
    {
      lr: { type: 'number', min: 0, default: 0.001, description: 'Adam learning rate' },
      binarize: { type: 'string', choices: BINARIZATIONS, default: 'sample', description: 'how digits become binary (sample = dynamic binarization)' },
    },
  );
}

export async function trainVae(name: 'vae' | 'vae-2d', config: VaeConfig, argv: string[]): Promise<void> {
  const spec = vaeTrainSpec(name, config);
  const run = await setupTrainingRun(name, spec, argv);
  const { options: o, seed, epochs, batch } = run;
  const how: Binarization = o.binarize;
  const d = config.latentDim;
  const optimizer = tf.train.adam(o.lr);
  const state = await resumeOrCreate(run, ['encoder', 'decoder'], () => buildVae(config, seed), { adam: optimizer });
  const vae: Vae = { encoder: state.models.encoder, decoder: state.models.decoder };
  // Fixed variable order: the optimizer's saved slots are restored by position.
  const variables = [...vae.encoder.trainableWeights, ...vae.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  const previewZ = tf.randomNormal([64, d], 0, 1, 'float32', deriveSeed(seed, 7));

  const seconds = await trainEpochs(run, state, {
    checkpoint: { models: { encoder: vae.encoder, decoder: vae.decoder }, optimizers: { adam: optimizer } },
    step: async (idx, { epoch, batch: b }) => {
      const batchSeed = deriveSeed(seed, 10_000 + epoch * 10_000 + b);
      const x = tf.tidy(() => binarize(imageBatch(run.train, idx), how, batchSeed));
      const eps = tf.randomNormal([idx.length, d], 0, 1, 'float32', batchSeed + 1) as tf.Tensor2D;
      const cost = optimizer.minimize(() => negElboLoss(vae, x, eps), true, variables)!;
      const negElbo = (await cost.data())[0]!;
      tf.dispose([x, eps, cost]);
      if (!Number.isFinite(negElbo)) throw new Error(`-ELBO became ${negElbo} at epoch ${epoch + 1}; try a lower --lr`);
      return { negElbo };
    },
    afterEpoch: async (epoch) => {
      const samples = tf.tidy(() => tf.sigmoid(vae.decoder.predict(previewZ) as tf.Tensor));
      await writeSampleGrid(join(run.checkpointDir, 'samples', `epoch-${String(epoch + 1).padStart(3, '0')}.png`), samples, 8);
      samples.dispose();
    },
  });
  previewZ.dispose();

  const report = await evaluateElbo(vae, run.data.test, how);
  console.error(`test: -ELBO ${report.negElbo.toFixed(2)} nats (recon ${report.recon.toFixed(2)} + KL ${report.kl.toFixed(2)}), ${report.activeDims}/${d} active dims`);
  await saveModelGroup(
    run.outDir,
    { encoder: vae.encoder, decoder: vae.decoder },
    {
      name,
      kind: 'vae',
      description: `Convolutional VAE, ${d}-D latent, Bernoulli decoder (logits). encoder: image -> [z_mean, z_log_var]; decoder: z -> logits`,
      input: { shape: [28, 28, 1], range: '[0, 1]', binarization: how },
      ...runProvenance(run),
      metrics: { ...report, units: 'nats per digit', binarization: how, evalSeed: EVAL_SEED, ...historyRecord(state.history) },
      extra: {
        latentDim: d,
        hidden: config.hidden,
        loss: '-ELBO = Bernoulli NLL (1 reparameterized sample) + analytic KL to N(0, I)',
        optimizer: `adam lr ${o.lr}, batch ${batch}`,
        ...trainingRecord(seconds),
      },
    },
  );
  console.error(`saved ${run.outDir}`);
  const { klPerDim: _k, ...summary } = report;
  printResultJson(roundDeep({ model: name, epochs, ...summary, seconds: Math.round(seconds), out: run.outDir }));
  releaseRun(vae, [optimizer]);
}
