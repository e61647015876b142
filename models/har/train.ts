// `npm run train -- har --data ../shared/data/hapt/RawData`: trains the activity CNN on HAPT with
// augmentation, validates each epoch on held-out users, checkpoints each epoch (--resume), and
// saves the model with metadata (metrics, robustness figures, data provenance, command).
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { CliError, parseOptions, type CommandSpec } from '../../cli/args.js';
import { backendOption, describeBackend, useTrainingBackend } from '../../cli/backend-option.js';
import { formatDuration } from '../../cli/progress.js';
import { printResultJson, roundDeep } from '../../cli/report.js';
import { readHapt } from '../../data/readers/hapt.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../training/checkpoints.js';
import { progressCallback } from '../training/fit-progress.js';
import { saveModel, TRAINED_MODELS_DIR, type ModelMetadata } from '../store/model-store.js';
import { DEFAULT_AUGMENT, type AugmentConfig } from './augmentation.js';
import { HarClassifier, HAR_MODEL_NAME } from './classifier.js';
import { labelledRuns, sampleEpoch, splitByUsers } from './data.js';
import { evaluateClassifier, evalWindows, predictClasses, robustnessVariant, ROBUSTNESS_VARIANTS, VARIANT_DESCRIPTIONS } from './evaluate.js';
import { checkFeatures, FEATURE_CHANNELS, HAR_FEATURES, harFeatures, type FeatureChannel } from './features.js';
import { scoreWindows, type HarMetrics } from './metrics.js';
import { buildHarModel, HAR_CLASSES, HAR_HOP, HAR_RATE_HZ, HAR_WINDOW } from './model.js';
import { pct } from './report.js';
import { accumulateAverage } from './weight-average.js';
import { parseUserList } from './cli-common.js';

const REPO_ROOT = resolve(TRAINED_MODELS_DIR, '..', '..');
const DEFAULT_VALIDATION_USERS = '5,11,17,23,29';

export const trainSpec: CommandSpec = {
  usage: 'npm run train -- har --data <HAPT RawData folder> [options]',
  summary: 'Train the activity-recognition 1D-CNN on HAPT accelerometer data, validating on held-out users.',
  options: {
    data: { type: 'string', required: true, description: 'folder laid out like HAPT RawData (e.g. ../shared/data/hapt/RawData)' },
    epochs: { type: 'integer', default: 30, min: 1, description: 'training epochs' },
    out: { type: 'string', default: relative(process.cwd(), join(TRAINED_MODELS_DIR, HAR_MODEL_NAME)) || '.', description: 'where to save the trained model' },
    seed: { type: 'integer', default: 1, min: 0, description: 'seed for initialisation, sampling and augmentation' },
    resume: { type: 'boolean', description: 'continue the run saved in --checkpoint' },
    'stop-after': { type: 'integer', min: 1, description: 'stop after this many epochs in total, keeping the checkpoint (continue later with --resume)' },
    checkpoint: { type: 'string', default: 'checkpoints/har', description: 'checkpoint folder (written after every epoch)' },
    'val-users': { type: 'string', default: DEFAULT_VALIDATION_USERS, description: 'comma-separated subject ids held out for validation' },
    'batch-size': { type: 'integer', default: 64, min: 1, description: 'windows per gradient step' },
    lr: { type: 'number', default: 0.002, min: 0, description: 'peak learning rate (Adam, cosine decay to 5% over the run)' },
    features: { type: 'string', default: HAR_FEATURES.join(','), description: `input channels, from ${FEATURE_CHANNELS.join(', ')}` },
    tilt: { type: 'number', default: DEFAULT_AUGMENT.maxTiltDeg, min: 0, max: 180, description: 'augmentation: largest tilt of the whole window (gravity included), degrees' },
    'motion-tilt': { type: 'number', default: DEFAULT_AUGMENT.maxMotionTiltDeg, min: 0, max: 180, description: 'augmentation: largest extra rotation of the motion around gravity, degrees' },
    stretch: { type: 'number', default: 0.15, min: 0, max: 0.5, description: 'augmentation: largest playback-speed change (0.15 = ±15 %)' },
    'average-last': { type: 'integer', default: 10, min: 1, description: 'the saved weights are the mean over this many final epochs (stochastic weight averaging)' },
    'train-hop': { type: 'integer', default: 32, min: 1, description: 'spacing of training windows in samples (evaluation uses 64)' },
    backend: backendOption,
  },
  notes: 'Validation is by held-out users, never random windows. The model is saved after the last epoch (no selection on validation).',
};

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(trainSpec, argv);
  const dataDir = String(o.data);
  const validationUsers = parseUserList(String(o['val-users']));
  const epochs = Number(o.epochs);
  const seed = Number(o.seed);
  const batchSize = Number(o['batch-size']);
  const trainHop = Number(o['train-hop']);
  const peakLr = Number(o.lr);
  const outDir = resolve(String(o.out));
  const ckptDir = resolve(String(o.checkpoint));
  let features: FeatureChannel[];
  try {
    features = checkFeatures(String(o.features).split(',').map((f) => f.trim()));
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const augment: AugmentConfig = {
    ...DEFAULT_AUGMENT,
    stretch: [1 - Number(o.stretch), 1 + Number(o.stretch)],
    maxTiltDeg: Number(o.tilt),
    maxMotionTiltDeg: Number(o['motion-tilt']),
  };
  const averageLast = Math.min(Number(o['average-last']), epochs);
  const runOptions = { data: resolve(dataDir), validationUsers, seed, batchSize, trainHop, peakLr, epochs, features, augment, averageLast };

  const backend = await useTrainingBackend(o.backend);
  const log = (s: string) => console.error(s);

  log(`reading ${dataDir}`);
  const all = await readHapt(dataDir);
  const { train, validation } = splitByUsers(all, validationUsers);
  const trainUsers = [...new Set(train.map((r) => r.user!))].sort((a, b) => a - b);
  const runs = labelledRuns(train, HAR_CLASSES, HAR_RATE_HZ, HAR_WINDOW);
  const valSet = evalWindows(validation, { windowSize: HAR_WINDOW, hop: HAR_HOP, rateHz: HAR_RATE_HZ });
  log(`train: ${train.length} recordings of users ${trainUsers.join(',')} (${runs.length} labelled runs); validation: users ${validationUsers.join(',')}, ${valSet.n} windows`);

  let model: tf.LayersModel;
  let startEpoch = 0;
  let history: Record<string, number>[] = [];
  let trainSeconds = 0;
  let averaged = 0;
  let average = buildHarModel({ seed, channels: features.length });
  if (o.resume) {
    if (!hasCheckpoint(ckptDir)) throw new CliError(`--resume: no checkpoint in ${ckptDir}`);
    const { state } = await loadCheckpoint(ckptDir, []);
    averaged = Number(state.extra?.averaged ?? 0);
    const ckpt = await loadCheckpoint(ckptDir, averaged > 0 ? ['model', 'average'] : ['model']);
    const diff = Object.entries(runOptions).filter(([k, v]) => k !== 'epochs' && JSON.stringify(ckpt.state.options[k]) !== JSON.stringify(v));
    if (diff.length) throw new CliError(`--resume: the checkpoint was made with different ${diff.map(([k]) => k).join(', ')}; use the same options`);
    model = ckpt.models.model!;
    startEpoch = ckpt.state.epoch;
    history = ckpt.state.history;
    trainSeconds = Number(ckpt.state.extra?.trainSeconds ?? 0);
    if (ckpt.models.average) {
      average.dispose();
      average = ckpt.models.average;
    }
    log(`resuming after epoch ${startEpoch}`);
  } else {
    model = buildHarModel({ seed, channels: features.length });
    model.compile({ optimizer: tf.train.adam(peakLr), loss: 'categoricalCrossentropy', metrics: [] });
  }
  if (!model.optimizer) model.compile({ optimizer: tf.train.adam(peakLr), loss: 'categoricalCrossentropy', metrics: [] });
  const clf = HarClassifier.fromModel(model, features);
  const averageClf = HarClassifier.fromModel(average, features);

  let windowsPerSec = 0;
  const sessionStart = performance.now();
  for (let epoch = startEpoch; epoch < epochs; epoch++) {
    const lr = cosineLr(peakLr, epoch, epochs);
    (model.optimizer as unknown as { learningRate: number }).learningRate = lr;
    const batch = sampleEpoch(runs, { size: HAR_WINDOW, hop: trainHop, seed, epoch, augment });
    const t0 = performance.now();
    const xs = tf.tidy(() => harFeatures(tf.tensor3d(batch.x, [batch.n, HAR_WINDOW, 3]), features));
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.y, 'int32'), HAR_CLASSES.length));
    let loss = NaN;
    try {
      const h = await model.fit(xs, ys, {
        batchSize,
        initialEpoch: epoch,
        epochs: epoch + 1,
        shuffle: false, // sampleEpoch already shuffled, reproducibly
        verbose: 0,
        callbacks: progressCallback({ samplesPerEpoch: batch.n, batchSize, epochs }),
      });
      loss = Number(h.history.loss?.[0]);
    } finally {
      xs.dispose();
      ys.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    trainSeconds += seconds;
    windowsPerSec = batch.n / seconds;
    const val = scoreWindows(HAR_CLASSES, valSet.truths, predictClasses(clf, valSet));
    const entry: Record<string, number> = { epoch: epoch + 1, loss, lr, valAccuracy: val.accuracy, valMacroF1: val.macroF1, seconds };
    let averageNote = '';
    if (epoch >= epochs - averageLast) {
      accumulateAverage(average, model, averaged++);
      const avgVal = scoreWindows(HAR_CLASSES, valSet.truths, predictClasses(averageClf, valSet));
      entry.averageValAccuracy = avgVal.accuracy;
      averageNote = `  (mean of last ${averaged}: ${pct(avgVal.accuracy)})`;
    }
    history.push(entry);
    const perEpoch = (performance.now() - sessionStart) / 1000 / (epoch + 1 - startEpoch); // with validation and checkpoint
    const left = (epochs - epoch - 1) * perEpoch;
    log(
      `epoch ${epoch + 1}/${epochs}  loss ${loss.toFixed(4)}  lr ${lr.toExponential(2)}  val acc ${pct(val.accuracy)}  macro-F1 ${val.macroF1.toFixed(4)}${averageNote}  ` +
        `${windowsPerSec.toFixed(0)} windows/s  ETA ${formatDuration(left)}  tensors ${tf.memory().numTensors}`,
    );
    await saveCheckpoint(ckptDir, averaged > 0 ? { model, average } : { model }, { epoch: epoch + 1, history, options: runOptions, extra: { trainSeconds, averaged } });
    if (o['stop-after'] !== undefined && epoch + 1 >= Number(o['stop-after']) && epoch + 1 < epochs) {
      log(`stopped after epoch ${epoch + 1} as asked; continue with the same options and --resume`);
      clf.dispose();
      averageClf.dispose();
      printResultJson({ stoppedAfterEpoch: epoch + 1, checkpoint: relative(process.cwd(), ckptDir) || ckptDir });
      return;
    }
  }
  // From here on the model is the weight average (see weight-average.ts).
  model.setWeights(average.getWeights());
  averageClf.dispose();

  log('validation on held-out users, with robustness variants');
  const validationMetrics = evaluateClassifier(clf, validation);
  const robustness: Record<string, Pick<HarMetrics, 'accuracy' | 'macroF1' | 'n'> & { description: string }> = {};
  for (const v of ROBUSTNESS_VARIANTS) {
    const m = v === 'original' ? validationMetrics : evaluateClassifier(clf, await robustnessVariant(validation, v));
    robustness[v] = { description: VARIANT_DESCRIPTIONS[v], n: m.n, accuracy: m.accuracy, macroF1: m.macroF1 };
    log(`  ${v.padEnd(8)} accuracy ${pct(m.accuracy)}  macro-F1 ${m.macroF1.toFixed(4)}  (${m.n} windows)`);
  }

  const metadata: ModelMetadata = {
    name: HAR_MODEL_NAME,
    kind: 'har-cnn',
    description: '1D-CNN activity recogniser: 2.56 s windows of raw tri-axial acceleration (g, gravity included) at 50 Hz',
    classes: [...HAR_CLASSES],
    input: { shape: [HAR_WINDOW, 3], hop: HAR_HOP, rateHz: HAR_RATE_HZ, units: 'g', layout: 'interleaved [x,y,z] per sample', features },
    data: {
      dataset: 'HAPT RawData (UCI Smartphone-Based Recognition of Human Activities and Postural Transitions)',
      path: relative(REPO_ROOT, resolve(dataDir)),
      citation: await citation(dataDir),
      trainUsers,
      validationUsers,
      trainRecordings: train.map((r) => r.id),
      validationWindows: valSet.n,
      windows: 'evaluation: 128 samples, hop 64, wholly inside one labelled segment of activities 1-6 (transitions excluded)',
    },
    metrics: roundDeep({ validation: validationMetrics, robustness }, 4) as Record<string, unknown>,
    command: `npm run train -- har ${argv.join(' ')}`.trim(),
    seed,
    epochs,
    backend: describeBackend(backend),
    extra: {
      augmentation: augment,
      trainHop,
      batchSize,
      weightAveraging: `mean of the weights after each of the last ${averaged} epochs`,
      learningRate: { peak: peakLr, schedule: 'cosine to 5%' },
      trainSeconds: Math.round(trainSeconds),
      windowsPerSecond: Math.round(windowsPerSec),
      history: roundDeep(history, 5),
    },
  };
  await saveModel(model, outDir, metadata);
  log(`saved ${relative(process.cwd(), outDir) || outDir} (training ${formatDuration(trainSeconds)})`);
  await rm(ckptDir, { recursive: true, force: true }).catch(() => {});
  clf.dispose();
  printResultJson(
    roundDeep({
      model: relative(process.cwd(), outDir) || outDir,
      epochs,
      validationUsers,
      accuracy: validationMetrics.accuracy,
      macroF1: validationMetrics.macroF1,
      robustness: Object.fromEntries(Object.entries(robustness).map(([k, v]) => [k, v.accuracy])),
      trainSeconds,
    }),
  );
}

/** Cosine decay from the peak to 5% of it over the run (epoch 0 at the peak). */
export function cosineLr(peak: number, epoch: number, epochs: number): number {
  const floor = 0.05 * peak;
  return floor + (peak - floor) * 0.5 * (1 + Math.cos((Math.PI * epoch) / Math.max(1, epochs)));
}

/** The citation line of the dataset's SOURCES.md (next to or above the data folder), if any. */
async function citation(dataDir: string): Promise<string | undefined> {
  for (const dir of [resolve(dataDir), dirname(resolve(dataDir))]) {
    const path = join(dir, 'SOURCES.md');
    if (!existsSync(path)) continue;
    const line = (await readFile(path, 'utf8')).split('\n').find((l) => l.startsWith('**Cite:**'));
    if (line) return `${line.replace('**Cite:**', '').replace(/\*/g, '').trim()} (see ${relative(REPO_ROOT, path)})`;
  }
  return undefined;
}
