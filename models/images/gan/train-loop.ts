// Trains a DCGAN or a conditional GAN: per batch one discriminator step (real digits vs fresh
// generator samples, one-sided label smoothing) and one generator step (non-saturating loss),
// each with its own Adam (lr 2e-4, beta1 0.5, the DCGAN settings). Shows D/G losses, saves a
// sample sheet per epoch into the checkpoint folder, and the generator into --out.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { printResultJson, roundDeep } from '../../../cli/report.js';
import { mnistMetadata } from '../../../data/mnist/load.js';
import { batchRanges, imageBatch, labelBatch } from '../shared/batches.js';
import { runEpochLoop } from '../shared/epoch-loop.js';
import { saveModelGroup } from '../shared/model-group.js';
import { deriveSeed, seededRandom, shuffledIndices } from '../shared/random.js';
import { releaseRun, resumeOrCreate, setupTrainingRun, writeCheckpoint, type TrainingRun } from '../shared/run-setup.js';
import { writeSampleGrid } from '../shared/sample-grid.js';
import { trainSpec } from '../shared/train-cli.js';
import { GAN_CONFIG } from './layers.js';
import { discriminatorLoss, generatorLoss } from './losses.js';
import { buildGan, type Gan, type GanKind } from './models.js';
import { generate, noise, toTanhRange } from './sampling.js';

const SUMMARY: Record<GanKind, string> = {
  dcgan: 'Train the DCGAN on MNIST (unconditional).',
  cgan: 'Train the conditional GAN on MNIST (digit label in).',
};

export interface GanTrainHooks {
  /** Figures computed on the final generator for metadata and the summary line (e.g. the CGAN judge). */
  finalMetrics?: (gan: Gan, run: TrainingRun) => Promise<Record<string, unknown>>;
}

export async function trainGan(kind: GanKind, argv: string[], hooks: GanTrainHooks = {}): Promise<void> {
  const spec = trainSpec(kind, SUMMARY[kind], { epochs: 10, batch: 64 }, {
    lr: { type: 'number', min: 0, default: 0.0002, description: 'Adam learning rate of both networks' },
    'real-label': { type: 'number', min: 0.5, max: 1, default: 0.9, description: 'target for real digits in the D loss (one-sided smoothing)' },
  });
  const run = await setupTrainingRun(kind, spec, argv);
  const { options: o, seed, epochs, batch, train } = run;
  const lr = Number(o.lr);
  const realTarget = Number(o['real-label']);
  const dOpt = tf.train.adam(lr, 0.5);
  const gOpt = tf.train.adam(lr, 0.5);
  const state = await resumeOrCreate(run, ['generator', 'discriminator'], () => buildGan(kind, GAN_CONFIG, seed), { d: dOpt, g: gOpt });
  const gan: Gan = state.models;
  const { generator: G, discriminator: D } = gan;
  const conditional = kind === 'cgan';
  const dim = GAN_CONFIG.noiseDim;
  // Fixed variable order: the optimizers' saved slots are restored by position.
  const dVars = D.trainableWeights.map((w) => w.read() as tf.Variable);
  const gVars = G.trainableWeights.map((w) => w.read() as tf.Variable);
  // The preview sheet: the same noise every epoch; for the CGAN each row is one digit 0..9.
  const previewLabels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
  const previewZ = noise(100, dim, deriveSeed(seed, 7));
  const started = performance.now();
  const elapsed = () => state.seconds + (performance.now() - started) / 1000;

  const discriminate = (images: tf.Tensor, labels: tf.Tensor | undefined) =>
    D.apply(conditional ? [images, labels!] : images, { training: true }) as tf.Tensor;
  const synthesize = (z: tf.Tensor, labels: tf.Tensor | undefined) =>
    G.apply(conditional ? [z, labels!] : z, { training: true }) as tf.Tensor;

  await runEpochLoop({
    epochs,
    startEpoch: state.startEpoch,
    history: state.history,
    samplesPerEpoch: train.count,
    runEpoch: async (epoch, tick) => {
      const order = shuffledIndices(train.count, seededRandom(deriveSeed(seed, 1000 + epoch)));
      let dSum = 0;
      let gSum = 0;
      let seen = 0;
      let b = 0;
      for (const [s, e] of batchRanges(train.count, batch)) {
        const idx = order.subarray(s, e);
        const n = idx.length;
        const batchSeed = deriveSeed(seed, 10_000 + epoch * 10_000 + b++);
        const real = tf.tidy(() => toTanhRange(imageBatch(train, idx)));
        const labels = conditional ? labelBatch(train, idx) : undefined;
        const z = noise(n, dim, batchSeed);
        const dCost = dOpt.minimize(() => discriminatorLoss(discriminate(real, labels), discriminate(synthesize(z, labels), labels), realTarget), true, dVars)!;
        const z2 = noise(n, dim, batchSeed + 1);
        const gCost = gOpt.minimize(() => generatorLoss(discriminate(synthesize(z2, labels), labels)), true, gVars)!;
        const [dl, gl] = [(await dCost.data())[0]!, (await gCost.data())[0]!];
        tf.dispose([real, z, z2, dCost, gCost]);
        labels?.dispose();
        if (!Number.isFinite(dl) || !Number.isFinite(gl)) throw new Error(`GAN losses became non-finite at epoch ${epoch + 1} (D ${dl}, G ${gl})`);
        dSum += dl * n;
        gSum += gl * n;
        seen += n;
        tick(n, { D: dSum / seen, G: gSum / seen });
      }
      return { dLoss: dSum / seen, gLoss: gSum / seen };
    },
    afterEpoch: async (epoch) => {
      const sheet = generate(G, previewZ, conditional ? previewLabels : undefined);
      const path = join(run.checkpointDir, 'samples', `epoch-${String(epoch + 1).padStart(3, '0')}.png`);
      await writeSampleGrid(path, sheet, 10);
      sheet.dispose();
      console.error(`samples: ${path}`);
      await writeCheckpoint(run, { generator: G, discriminator: D }, { d: dOpt, g: gOpt }, epoch + 1, state.history, elapsed());
    },
  });
  const seconds = elapsed();
  previewZ.dispose();

  const metrics = (await hooks.finalMetrics?.(gan, run)) ?? {};
  // Only the generator is served; the discriminator stays in the checkpoint folder.
  await saveModelGroup(run.outDir, { generator: G }, {
    name: kind,
    kind,
    description:
      kind === 'dcgan'
        ? 'DCGAN generator: z -> dense 7x7 - BN - ReLU - convT s2 - BN - ReLU - convT s2 - tanh (images in [-1, 1])'
        : 'Conditional GAN generator: [z, one-hot label] -> dense 7x7 - BN - ReLU - convT s2 - BN - ReLU - convT s2 - tanh',
    input: { noiseDim: dim, noise: 'N(0, I)', ...(conditional ? { label: 'one-hot [10]' } : {}), output: '[28, 28, 1] in [-1, 1]' },
    data: mnistMetadata(run.data),
    metrics,
    command: run.command,
    seed,
    epochs,
    backend: run.backend.name,
    extra: {
      config: GAN_CONFIG,
      optimizer: `adam lr ${lr} beta1 0.5 for D and G, batch ${batch}, real label ${realTarget}`,
      trainSeconds: Math.round(seconds),
      history: roundDeep(state.history),
    },
  });
  console.error(`saved ${run.outDir}`);
  printResultJson(roundDeep({ model: kind, epochs, ...state.history.at(-1), ...metrics, seconds: Math.round(seconds), out: run.outDir }));
  releaseRun(gan, [dOpt, gOpt]);
}
