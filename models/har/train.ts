// `npm run train -- har --data ../shared/data/hapt/RawData [--wisdm DIR] [--mobifall DIR]`: trains
// the activity CNN on HAPT (waist) and, when given, the WISDM 2019 and MobiFall pocket data, with
// augmentation; validates each epoch on held-out people of every data set; checkpoints each epoch
// (--resume); saves the model with metadata (metrics per data set, robustness, provenance with
// licenses, command).
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { defineCommand, CliError, parseOptions, withoutOptions } from '../../cli/args.js';
import { backendOption, describeBackend, useTrainingBackend } from '../../cli/backend-option.js';
import { formatDuration } from '../../cli/progress.js';
import { printResultJson, roundDeep } from '../../cli/report.js';
import { readHapt } from '../../data/readers/hapt.js';
import { readMobiFall } from '../../data/readers/mobifall.js';
import type { Recording } from '../../data/readers/recording.js';
import { readWisdm2019 } from '../../data/readers/wisdm2019.js';
import { ACTIVITY_NAMES } from '../../protocol/sensor-messages.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../training/checkpoints.js';
import { progressCallback } from '../training/fit-progress.js';
import { saveModel, TRAINED_MODELS_DIR, type ModelMetadata } from '../store/model-store.js';
import { DEFAULT_AUGMENT, type AugmentConfig } from './augmentation.js';
import { HarClassifier, HAR_MODEL_NAME } from './classifier.js';
import { labelledRuns, sampleEpoch, splitByUsers, type EpochBatch } from './data.js';
import { evalWindows, predictClasses, robustnessVariant, ROBUSTNESS_VARIANTS, VARIANT_DESCRIPTIONS } from './evaluate.js';
import { perDatasetMetrics } from './per-dataset.js';
import { checkFeatures, FEATURE_CHANNELS, HAR_FEATURES, harFeatures, PLACEMENT_CHANNELS, type FeatureChannel } from './features.js';
import { scoreWindows } from './metrics.js';
import { buildHarModel, HAR_HOP, HAR_RATE_HZ, HAR_WINDOW } from './model.js';
import { pct } from './report.js';
import { accumulateAverage } from './weight-average.js';
import { parseUserList } from './cli-common.js';

const REPO_ROOT = resolve(TRAINED_MODELS_DIR, '..', '..');
const DEFAULT_VALIDATION_USERS = '5,11,17,23,29';
// Held-out people, fixed before any training: every 4th id in sorted order, from the second
// (WISDM: 1606, 1622, 1637 of 1600-1639; MobiFall: 3, 8 of the 9 subjects with daily activities).
const DEFAULT_WISDM_VALIDATION_USERS = '1606,1622,1637';
const DEFAULT_MOBIFALL_VALIDATION_USERS = '3,8';

export const spec = defineCommand({
  usage: 'npm run train -- har --data <HAPT RawData folder> [--wisdm <folder>] [--mobifall <folder>] [options]',
  summary: 'Train the activity-recognition 1D-CNN on HAPT (waist) and pocket accelerometer data, validating on held-out people of every data set.',
  options: {
    data: { type: 'path', required: true, description: 'folder laid out like HAPT RawData (e.g. ../shared/data/hapt/RawData); phone at the waist' },
    wisdm: { type: 'path', description: 'WISDM 2019 folder (e.g. ../shared/data/wisdm2019): phones in a trouser pocket, adds jogging' },
    mobifall: { type: 'path', description: 'MobiFall v2.0 folder (e.g. ../shared/data/mobifall): a phone in a trouser pocket, any orientation' },
    'wisdm-val-users': { type: 'string', default: DEFAULT_WISDM_VALIDATION_USERS, description: 'WISDM subject ids held out for validation' },
    'mobifall-val-users': { type: 'string', default: DEFAULT_MOBIFALL_VALIDATION_USERS, description: 'MobiFall subject ids held out for validation' },
    'placement-dropout': { type: 'number', default: 0.3, min: 0, max: 1, description: 'share of training windows whose placement is hidden (the model must work with unknown)' },
    'pocket-tilt': { type: 'number', default: DEFAULT_AUGMENT.pocketTiltDeg, min: 0, max: 180, description: 'augmentation: pocket windows, largest tilt after the turn in the screen plane, degrees' },
    'full-rotation': { type: 'number', default: DEFAULT_AUGMENT.fullRotation, min: 0, max: 1, description: 'augmentation: share of moving-class windows turned to a uniformly random orientation' },
    epochs: { type: 'integer', default: 30, min: 1, description: 'training epochs' },
    out: { type: 'path', default: relative(process.cwd(), join(TRAINED_MODELS_DIR, HAR_MODEL_NAME)) || '.', description: 'where to save the trained model' },
    seed: { type: 'integer', default: 1, min: 0, description: 'seed for initialisation, sampling and augmentation' },
    resume: { type: 'boolean', description: 'continue the run saved in --checkpoint-dir' },
    'stop-after': { type: 'integer', min: 1, description: 'stop after this many epochs in total, keeping the checkpoint (continue later with --resume)' },
    'checkpoint-dir': { type: 'path', default: 'checkpoints/har', aliases: ['checkpoint'], description: 'checkpoint folder (written after every epoch)' },
    'val-users': { type: 'string', default: DEFAULT_VALIDATION_USERS, description: 'HAPT subject ids held out for validation (comma-separated)' },
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
  notes: [
    'Validation is by held-out people of every data set, never random windows. The model is saved after the last epoch',
    "(no selection on validation). Classes: the known activity names that have training windows ('stairs' trains both",
    'stairs classes: the loss is -log(p(upstairs) + p(downstairs)), see README).',
  ].join('\n'),
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const dataDir = o.data;
  const validationUsers = parseUserList(o['val-users']);
  const { epochs, seed, 'batch-size': batchSize, 'train-hop': trainHop, lr: peakLr } = o;
  const outDir = resolve(o.out);
  const ckptDir = resolve(o['checkpoint-dir']);
  let features: FeatureChannel[];
  try {
    features = checkFeatures(o.features.split(',').map((f) => f.trim()));
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const augment: AugmentConfig = {
    ...DEFAULT_AUGMENT,
    stretch: [1 - o.stretch, 1 + o.stretch],
    maxTiltDeg: o.tilt,
    maxMotionTiltDeg: o['motion-tilt'],
  };
  augment.pocketTiltDeg = o['pocket-tilt'];
  augment.fullRotation = o['full-rotation'];
  const placementDropout = o['placement-dropout'];
  const averageLast = Math.min(o['average-last'], epochs);
  const sources: DataSource[] = [{ name: 'hapt', path: dataDir, validationUsers, read: (p) => readHapt(p) }];
  if (o.wisdm !== undefined) sources.push({ name: 'wisdm2019', path: o.wisdm, validationUsers: parseUserList(o['wisdm-val-users']), read: (p) => readWisdm2019(p) });
  if (o.mobifall !== undefined) sources.push({ name: 'mobifall', path: o.mobifall, validationUsers: parseUserList(o['mobifall-val-users']), read: (p) => readMobiFall(p) });
  const runOptions = {
    data: resolve(dataDir),
    ...(o.wisdm !== undefined ? { wisdm: resolve(o.wisdm) } : {}),
    ...(o.mobifall !== undefined ? { mobifall: resolve(o.mobifall) } : {}),
    validationUsers: Object.fromEntries(sources.map((d) => [d.name, d.validationUsers])),
    seed,
    batchSize,
    trainHop,
    peakLr,
    epochs,
    features,
    augment,
    averageLast,
    placementDropout,
  };

  const backend = await useTrainingBackend(o.backend);
  const log = (s: string) => console.error(s);

  const train: Recording[] = [];
  const validation: Recording[] = [];
  const provenance: Record<string, unknown>[] = [];
  for (const d of sources) {
    log(`reading ${d.name} from ${d.path}`);
    let recs: Recording[];
    try {
      recs = await d.read(d.path);
    } catch (err) {
      throw new CliError(`${d.name}: ${(err as Error).message}`);
    }
    const split = splitByUsers(recs, d.validationUsers);
    train.push(...split.train);
    validation.push(...split.validation);
    const trainUsers = [...new Set(split.train.map((r) => r.user!))].sort((a, b) => a - b);
    log(`  ${d.name}: train users ${trainUsers.join(',')}; held out ${d.validationUsers.join(',')}`);
    provenance.push({ dataset: d.name, path: relative(REPO_ROOT, resolve(d.path)), ...(await sourceFacts(d.path)), placement: recs[0]?.placement, trainUsers, validationUsers: d.validationUsers });
  }
  // The classes: every known name with training windows ('stairs' stands for both stairs classes).
  const allRuns = labelledRuns(train, ACTIVITY_NAMES, HAR_RATE_HZ, HAR_WINDOW);
  const present = new Set(allRuns.flatMap((r) => r.targets));
  const classes = ACTIVITY_NAMES.filter((_, i) => present.has(i));
  const runs = labelledRuns(train, classes, HAR_RATE_HZ, HAR_WINDOW);
  const valSet = evalWindows(validation, { windowSize: HAR_WINDOW, hop: HAR_HOP, rateHz: HAR_RATE_HZ });
  log(`classes ${classes.join(', ')}; train: ${train.length} recordings (${runs.length} labelled runs); validation: ${valSet.n} windows of held-out people`);

  let model: tf.LayersModel;
  let startEpoch = 0;
  let history: Record<string, number>[] = [];
  let trainSeconds = 0;
  let averaged = 0;
  let average = buildHarModel({ seed, channels: features.length, classes: classes.length });
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
    model = buildHarModel({ seed, channels: features.length, classes: classes.length });
    model.compile({ optimizer: tf.train.adam(peakLr), loss: 'categoricalCrossentropy', metrics: [] });
  }
  if (!model.optimizer) model.compile({ optimizer: tf.train.adam(peakLr), loss: 'categoricalCrossentropy', metrics: [] });
  const clf = HarClassifier.fromModel(model, features, classes);
  const averageClf = HarClassifier.fromModel(average, features, classes);

  let windowsPerSec = 0;
  const sessionStart = performance.now();
  for (let epoch = startEpoch; epoch < epochs; epoch++) {
    const lr = cosineLr(peakLr, epoch, epochs);
    (model.optimizer as unknown as { learningRate: number }).learningRate = lr;
    const batch = sampleEpoch(runs, { size: HAR_WINDOW, hop: trainHop, seed, epoch, augment, placementDropout });
    const t0 = performance.now();
    const xs = tf.tidy(() => harFeatures(tf.tensor3d(batch.x, [batch.n, HAR_WINDOW, 3]), features, batch.placements));
    const ys = tf.tensor2d(await targetMatrix(clf, batch, classes.length), [batch.n, classes.length]);
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
    const val = scoreWindows(classes, valSet.truths, await predictClasses(clf, valSet));
    const entry: Record<string, number> = { epoch: epoch + 1, loss, lr, valAccuracy: val.accuracy, valMacroF1: val.macroF1, seconds };
    let averageNote = '';
    if (epoch >= epochs - averageLast) {
      accumulateAverage(average, model, averaged++);
      const avgVal = scoreWindows(classes, valSet.truths, await predictClasses(averageClf, valSet));
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
    if (o['stop-after'] !== undefined && epoch + 1 >= o['stop-after'] && epoch + 1 < epochs) {
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

  log('validation on held-out people: per data set, with the placement each data set has and with unknown, and robustness variants');
  const validationMetrics = scoreWindows(classes, valSet.truths, await predictClasses(clf, valSet));
  const perDataset = await perDatasetMetrics(clf, valSet);
  for (const [name, m] of Object.entries(perDataset)) log(`  ${name.padEnd(26)} accuracy ${pct(m.accuracy)}  macro-F1 ${m.macroF1.toFixed(4)}  (${m.n} windows)`);
  const robustness: Record<string, Record<string, number | string>> = {};
  for (const v of ROBUSTNESS_VARIANTS) {
    if (v === 'original') continue;
    const set = v === 'ms2' ? undefined : evalWindows(await robustnessVariant(validation, v), clf);
    if (!set) continue; // the m/s² csv round trip is exact (tested); not worth the disk round trip here
    const byData = await perDatasetMetrics(clf, set, { unknown: false });
    robustness[v] = { description: VARIANT_DESCRIPTIONS[v], ...Object.fromEntries(Object.entries(byData).map(([k, m]) => [k, m.accuracy])) };
    log(
      `  ${v.padEnd(8)} ${Object.entries(byData)
        .map(([k, m]) => `${k} ${pct(m.accuracy)}`)
        .join('  ')}`,
    );
  }

  const metadata: ModelMetadata = {
    name: HAR_MODEL_NAME,
    kind: 'har-cnn',
    description: '1D-CNN activity recogniser: 2.56 s windows of raw tri-axial acceleration (g, gravity included) at 50 Hz, plus where the phone is carried (pocket, waist or unknown)',
    classes: [...classes],
    input: { shape: [HAR_WINDOW, 3], hop: HAR_HOP, rateHz: HAR_RATE_HZ, units: 'g', layout: 'interleaved [x,y,z] per sample', features },
    data: {
      datasets: provenance,
      trainRecordings: train.length,
      validationWindows: valSet.n,
      windows: "evaluation: 128 samples, hop 64, wholly inside one labelled run of a class or 'stairs' (transitions, unlabelled and left-out activities excluded)",
    },
    metrics: { ...(roundDeep({ validation: validationMetrics, perDataset, robustness }, 4) as Record<string, unknown>), history: roundDeep(history, 5) },
    command: recordedCommand(argv),
    seed,
    epochs,
    backend: describeBackend(backend),
    extra: {
      augmentation: augment,
      placementDropout,
      stairsLoss: "'stairs' windows (WISDM) train on -log(p(upstairs) + p(downstairs)): cross-entropy against the model's own up/down split at the start of the epoch, which has the same gradient",
      trainHop,
      batchSize,
      weightAveraging: `mean of the weights after each of the last ${averaged} epochs`,
      learningRate: { peak: peakLr, schedule: 'cosine to 5%' },
      trainSeconds: Math.round(trainSeconds),
      windowsPerSecond: Math.round(windowsPerSec),
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
      classes,
      validationUsers: runOptions.validationUsers,
      accuracy: validationMetrics.accuracy,
      macroF1: validationMetrics.macroF1,
      perDataset: Object.fromEntries(Object.entries(perDataset).map(([k, m]) => [k, m.accuracy])),
      robustness,
      trainSeconds,
    }),
  );
}

/** Cosine decay from the peak to 5% of it over the run (epoch 0 at the peak). */
export function cosineLr(peak: number, epoch: number, epochs: number): number {
  const floor = 0.05 * peak;
  return floor + (peak - floor) * 0.5 * (1 + Math.cos((Math.PI * epoch) / Math.max(1, epochs)));
}

/**
 * The command to record: `--out`, `--checkpoint-dir` and `--resume` are dropped (where files go and
 * whether the run was interrupted is not what the model is).
 */
export function recordedCommand(argv: readonly string[]): string {
  return `npm run train -- har ${withoutOptions(spec, argv, ['out', 'checkpoint-dir', 'resume']).join(' ')}`.trim();
}

interface DataSource {
  name: string;
  path: string;
  validationUsers: number[];
  read: (path: string) => Promise<Recording[]>;
}

/**
 * Training targets, [n, classes] row-major: one-hot, except 'stairs' windows (either stairs class
 * is right). For those the loss is L = -log(p_up + p_down), whose gradient on the logits is
 * p - t with t_k = p_k / (p_up + p_down) on the two stairs classes: cross-entropy against the
 * model's own up/down split (taken once, before the epoch's steps) has that same gradient.
 */
async function targetMatrix(clf: HarClassifier, batch: EpochBatch, k: number): Promise<Float32Array> {
  const t = new Float32Array(batch.n * k);
  const stairs: number[] = [];
  for (let i = 0; i < batch.n; i++) {
    const allowed = batch.targets[i]!;
    if (allowed.length === 1) t[i * k + allowed[0]!] = 1;
    else stairs.push(i);
  }
  const per = HAR_WINDOW * 3;
  for (let s0 = 0; s0 < stairs.length; s0 += 512) {
    const idx = stairs.slice(s0, s0 + 512);
    const x = new Float32Array(idx.length * per);
    idx.forEach((i, j) => x.set(batch.x.subarray(i * per, (i + 1) * per), j * per));
    const p = await clf.predictAsync(
      x,
      idx.length,
      idx.map((i) => PLACEMENT_CHANNELS[batch.placements[i]!]),
    );
    idx.forEach((i, j) => {
      const allowed = batch.targets[i]!;
      const total = allowed.reduce((a, c) => a + p[j * k + c]!, 0);
      for (const c of allowed) t[i * k + c] = total > 1e-6 ? p[j * k + c]! / total : 1 / allowed.length;
    });
  }
  return t;
}

/** Citation and license lines of the data set's SOURCES.md (next to or above the data folder). */
async function sourceFacts(dataDir: string): Promise<{ citation?: string; license?: string; sources?: string }> {
  for (const dir of [resolve(dataDir), dirname(resolve(dataDir))]) {
    const path = join(dir, 'SOURCES.md');
    if (!existsSync(path)) continue;
    const lines = (await readFile(path, 'utf8')).split('\n');
    const field = (name: string) => {
      const line = lines.find((l) => l.startsWith(`**${name}:**`));
      return line ? line.replace(`**${name}:**`, '').replace(/\*/g, '').trim() : undefined;
    };
    const out: { citation?: string; license?: string; sources?: string } = { sources: relative(REPO_ROOT, path) };
    const citation = field('Cite');
    const license = field('License');
    if (citation) out.citation = citation;
    if (license) out.license = license;
    return out;
  }
  return {};
}
