// Trains a DCGAN or a conditional GAN: per batch one discriminator step (real digits vs fresh
// generator samples, one-sided label smoothing) and one generator step (non-saturating loss),
// each with its own Adam (lr 2e-4, beta1 0.5, the DCGAN settings). With --aux-weight > 0 (cgan),
// the AC-GAN: D sees the image alone, its auxiliary head learns the digit of real images, and G is
// also rewarded when that head reads its samples as the requested digit (D is not trained to
// classify fakes, so that it cannot learn to read G's mistakes as the right digit). Shows D/G
// losses, saves a sample sheet per epoch into the checkpoint folder, and the generator and those
// sheets into --out.
import * as tf from '@tensorflow/tfjs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { defineOption } from '../../../cli/args.js';
import { printResultJson, roundDeep } from '../../../cli/report.js';
import { imageBatch, labelBatch } from '../shared/batches.js';
import { saveModelGroup } from '../shared/model-group.js';
import { deriveSeed } from '../../../lib/random.js';
import { releaseRun, resumeOrCreate, runProvenance, setupTrainingRun, trainingRecord, historyRecord, type TrainingRun } from '../shared/run-setup.js';
import { writeSampleGrid } from '../shared/sample-grid.js';
import { trainSpec } from '../shared/train-cli.js';
import { trainEpochs } from '../shared/train-epochs.js';
import { GAN_CONFIG } from './layers.js';
import { digitLoss, discriminatorLoss, generatorLoss } from './losses.js';
import { buildGan, hasAuxClassifier, type Gan, type GanKind } from './models.js';
import { generate, noise, toTanhRange } from './sampling.js';

const SUMMARY: Record<GanKind, string> = {
  dcgan: 'Train the DCGAN on MNIST (unconditional).',
  cgan: 'Train the conditional GAN on MNIST (digit label in).',
};

export interface GanTrainHooks {
  /** Figures computed on the final generator for metadata and the summary line (the CNN's judgement of `samples` samples). */
  finalMetrics?: (gan: Gan, run: TrainingRun, samples: number) => Promise<Record<string, unknown>>;
}

const GAN_OPTIONS = {
  lr: defineOption({ type: 'number', min: 0, default: 0.0002, description: 'Adam learning rate of both networks' }),
  'real-label': defineOption({ type: 'number', min: 0.5, max: 1, default: 0.9, description: 'target for real digits in the D loss (one-sided smoothing)' }),
  'judge-samples': defineOption({ type: 'integer', min: 20, default: 10_000, description: 'samples the trained CNN judges after training (cgan: a tenth per digit)' }),
};
const GAN_DEFAULTS = { epochs: 10, batchSize: 64 };
const DCGAN_SPEC = trainSpec('dcgan', SUMMARY.dcgan, GAN_DEFAULTS, GAN_OPTIONS);
const CGAN_SPEC = trainSpec('cgan', SUMMARY.cgan, GAN_DEFAULTS, {
  ...GAN_OPTIONS,
  'aux-weight': defineOption({ type: 'number', min: 0, default: 1, description: "weight of the auxiliary digit-classifier loss in D's and G's objectives (0: plain conditional GAN)" }),
});

/** The options of `npm run train -- dcgan|cgan` (cgan adds --aux-weight). */
export function ganTrainSpec(kind: GanKind): typeof DCGAN_SPEC | typeof CGAN_SPEC {
  return kind === 'cgan' ? CGAN_SPEC : DCGAN_SPEC;
}

/** The run and its auxiliary-loss weight (only cgan has --aux-weight; 0 is the plain GAN). */
async function setupGanRun(kind: GanKind, argv: string[]) {
  if (kind === 'dcgan') return { run: await setupTrainingRun(kind, DCGAN_SPEC, argv), auxWeight: 0 };
  const run = await setupTrainingRun(kind, CGAN_SPEC, argv);
  return { run, auxWeight: run.options['aux-weight'] };
}

export async function trainGan(kind: GanKind, argv: string[], hooks: GanTrainHooks = {}): Promise<void> {
  const { run, auxWeight } = await setupGanRun(kind, argv);
  const { options: o, seed, epochs, batch, train } = run;
  const lr = o.lr;
  const realTarget = o['real-label'];
  const dOpt = tf.train.adam(lr, 0.5);
  const gOpt = tf.train.adam(lr, 0.5);
  const state = await resumeOrCreate(run, ['generator', 'discriminator'], () => buildGan(kind, GAN_CONFIG, seed, { auxClassifier: auxWeight > 0 }), { d: dOpt, g: gOpt });
  const gan: Gan = state.models;
  const { generator: G, discriminator: D } = gan;
  const conditional = kind === 'cgan';
  if (hasAuxClassifier(D) !== auxWeight > 0) throw new Error(`the checkpointed discriminator ${hasAuxClassifier(D) ? 'has' : 'lacks'} the auxiliary head; --aux-weight ${auxWeight} does not match`);
  const dim = GAN_CONFIG.noiseDim;
  // Fixed variable order: the optimizers' saved slots are restored by position.
  const dVars = D.trainableWeights.map((w) => w.read() as tf.Variable);
  const gVars = G.trainableWeights.map((w) => w.read() as tf.Variable);
  // The preview sheet: the same noise every epoch; for the CGAN each row is one digit 0..9.
  const previewLabels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
  const previewZ = noise(100, dim, deriveSeed(seed, 7));

  /** D's real/fake logit and, with the auxiliary head, its digit logits. */
  const discriminate = (images: tf.Tensor, labels: tf.Tensor | undefined): { logit: tf.Tensor; digits?: tf.Tensor } => {
    const out = D.apply(D.inputs.length === 2 ? [images, labels!] : images, { training: true }) as tf.Tensor | tf.Tensor[];
    return Array.isArray(out) ? { logit: out[0]!, digits: out[1]! } : { logit: out };
  };
  // The objectives keep their auxiliary terms (tf.keep: minimize tidies the rest) so that the
  // adversarial and digit losses are logged apart.
  const aux: { d?: tf.Scalar; g?: tf.Scalar } = {};
  const dObjective = (real: tf.Tensor, fake: tf.Tensor, labels: tf.Tensor | undefined): tf.Scalar => {
    const r = discriminate(real, labels);
    const adversarial = discriminatorLoss(r.logit, discriminate(fake, labels).logit, realTarget);
    if (!r.digits) return adversarial;
    aux.d = tf.keep(digitLoss(r.digits, labels!));
    return tf.add(adversarial, tf.mul(auxWeight, aux.d));
  };
  const gObjective = (fake: tf.Tensor, labels: tf.Tensor | undefined): tf.Scalar => {
    const f = discriminate(fake, labels);
    const adversarial = generatorLoss(f.logit);
    if (!f.digits) return adversarial;
    aux.g = tf.keep(digitLoss(f.digits, labels!));
    return tf.add(adversarial, tf.mul(auxWeight, aux.g));
  };
  const synthesize = (z: tf.Tensor, labels: tf.Tensor | undefined) => G.apply(conditional ? [z, labels!] : z, { training: true }) as tf.Tensor;

  const seconds = await trainEpochs(run, state, {
    checkpoint: { models: { generator: G, discriminator: D }, optimizers: { d: dOpt, g: gOpt } },
    step: async (idx, { epoch, batch: b }) => {
      const n = idx.length;
      const batchSeed = deriveSeed(seed, 10_000 + epoch * 10_000 + b);
      const real = tf.tidy(() => toTanhRange(imageBatch(train, idx)));
      const labels = conditional ? labelBatch(train, idx) : undefined;
      const z = noise(n, dim, batchSeed);
      const dCost = dOpt.minimize(() => dObjective(real, synthesize(z, labels), labels), true, dVars)!;
      const z2 = noise(n, dim, batchSeed + 1);
      const gCost = gOpt.minimize(() => gObjective(synthesize(z2, labels), labels), true, gVars)!;
      const [dTotal, gTotal] = [(await dCost.data())[0]!, (await gCost.data())[0]!];
      const [da, ga] = [aux.d ? (await aux.d.data())[0]! : 0, aux.g ? (await aux.g.data())[0]! : 0];
      tf.dispose([real, z, z2, dCost, gCost, aux.d, aux.g].filter((t) => t !== undefined));
      aux.d = aux.g = undefined;
      labels?.dispose();
      if (!Number.isFinite(dTotal) || !Number.isFinite(gTotal)) throw new Error(`GAN losses became non-finite at epoch ${epoch + 1} (D ${dTotal}, G ${gTotal})`);
      // Adversarial parts alone (comparable with a run without the auxiliary head), then the digit
      // cross-entropy of D's head on real digits and on G's samples (what G is pushed to lower).
      const losses = { dLoss: dTotal - auxWeight * da, gLoss: gTotal - auxWeight * ga };
      return auxWeight > 0 ? { ...losses, dDigitLoss: da, gDigitLoss: ga } : losses;
    },
    afterEpoch: async (epoch) => {
      const sheet = generate(G, previewZ, conditional ? previewLabels : undefined);
      const path = join(run.checkpointDir, 'samples', `epoch-${String(epoch + 1).padStart(3, '0')}.png`);
      await writeSampleGrid(path, sheet, 10);
      sheet.dispose();
      console.error(`samples: ${path}`);
    },
  });
  previewZ.dispose();

  const metrics = (await hooks.finalMetrics?.(gan, run, o['judge-samples'])) ?? {};
  // Only the generator is served; the discriminator stays in the checkpoint folder.
  await saveModelGroup(
    run.outDir,
    { generator: G },
    {
      name: kind,
      kind,
      description:
        kind === 'dcgan'
          ? 'DCGAN generator: z -> dense 7x7 - BN - ReLU - convT s2 - BN - ReLU - convT s2 - tanh (images in [-1, 1])'
          : 'Conditional GAN generator: [z, one-hot label] -> dense 7x7 - BN - ReLU - convT s2 - BN - ReLU - convT s2 - tanh',
      input: { noiseDim: dim, noise: 'N(0, I)', ...(conditional ? { label: 'one-hot [10]' } : {}), output: '[28, 28, 1] in [-1, 1]' },
      ...runProvenance(run),
      metrics: { ...metrics, ...historyRecord(state.history) },
      extra: {
        config: GAN_CONFIG,
        optimizer: `adam lr ${lr} beta1 0.5 for D and G, batch ${batch}, real label ${realTarget}`,
        ...(conditional
          ? {
              auxClassifierWeight: auxWeight,
              discriminator:
                auxWeight > 0 ? 'AC-GAN: image alone -> real/fake logit and 10 digit logits (digit loss on real digits for D, on samples for G)' : 'image + learned label plane -> real/fake logit',
            }
          : {}),
        ...trainingRecord(seconds),
      },
    },
  );
  // The per-epoch sheets go with the model, to show how training went.
  await cp(join(run.checkpointDir, 'samples'), join(run.outDir, 'samples'), { recursive: true });
  console.error(`saved ${run.outDir} (generator, metadata, samples/)`);
  printResultJson(roundDeep({ model: kind, epochs, ...state.history.at(-1), ...metrics, seconds: Math.round(seconds), out: run.outDir }));
  releaseRun(gan, [dOpt, gOpt]);
}
