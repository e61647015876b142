// What every image-lab trainer does around its own loop: parse options, pick the backend, load
// MNIST, resume from or start a checkpoint folder, and write checkpoints (models, optimizer
// slots for custom loops, history) after each epoch.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalOption, parseOptions, type CommandSpec, type OptionSpecs, type OptionValues } from '../../../cli/args.js';
import { useTrainingBackend } from '../../../cli/backend-option.js';
import type { BackendInfo } from '../../runtime/backend.js';
import { loadMnist, mnistMetadata } from '../../../data/mnist/load.js';
import { head, type MnistData, type MnistSet } from '../../../data/mnist/types.js';
import { loadCheckpoint, saveCheckpoint } from '../../training/checkpoints.js';
import { roundDeep } from '../../../cli/report.js';
import type { EpochLogs } from './epoch-loop.js';
import { loadOptimizerState, saveOptimizerState } from './optimizer-state.js';
import { reproduceCommand, type NoOptions, type trainSpec } from './train-cli.js';

/** The options every image trainer has (trainSpec's own). */
type CommonTrainOptions = ReturnType<typeof trainSpec<NoOptions>>['options'];

export interface TrainingRun<O extends OptionSpecs = OptionSpecs> {
  name: string;
  spec: CommandSpec<O>;
  options: OptionValues<O>;
  backend: BackendInfo;
  seed: number;
  epochs: number;
  batch: number;
  checkpointDir: string;
  outDir: string;
  /** The data of the run; data.train is cut to --limit. */
  data: MnistData;
  /** The training digits (after --limit), = data.train. */
  train: MnistSet;
  /** What metadata records as the reproducing command. */
  command: string;
}

export async function setupTrainingRun<O extends CommonTrainOptions>(name: string, spec: CommandSpec<O>, argv: string[]): Promise<TrainingRun<O>> {
  const options = parseOptions(spec, argv);
  // The options every trainer shares, typed as trainSpec declares them (O extends them).
  const common: OptionValues<CommonTrainOptions> = options;
  const backend = await useTrainingBackend(common.backend);
  const loaded = await loadMnist(common.data);
  const train = head(loaded.train, common.limit);
  const data = { ...loaded, train }; // so that metadata counts the digits really used
  console.error(`data: ${data.source.description}; ${train.count} training digits`);
  return {
    name,
    spec,
    options,
    backend,
    seed: common.seed,
    epochs: common.epochs,
    batch: common['batch-size'],
    checkpointDir: common['checkpoint-dir'],
    outDir: common.out,
    data,
    train,
    command: reproduceCommand(spec, 'train', name, argv),
  };
}

/** What a trained model's metadata records about the run that made it (data, command, seed, epochs, backend). */
export function runProvenance(run: TrainingRun): { data: Record<string, unknown>; command: string; seed: number; epochs: number; backend: string } {
  return { data: mnistMetadata(run.data), command: run.command, seed: run.seed, epochs: run.epochs, backend: run.backend.name };
}

/** The run's training time, for metadata's `extra`. */
export function trainingRecord(seconds: number): { trainSeconds: number } {
  return { trainSeconds: Math.round(seconds) };
}

/** The per-epoch figures, for metadata's `metrics` (every model keeps them at metrics.history; the /models/ page draws them). */
export function historyRecord(history: EpochLogs[]): { history: EpochLogs[] } {
  return { history: roundDeep(history) };
}

export interface RunState<M extends Record<string, tf.LayersModel>> {
  models: M;
  startEpoch: number;
  history: EpochLogs[];
  /** Training seconds of earlier (resumed) sessions. */
  seconds: number;
}

function checkpointExists(dir: string, names: string[]): boolean {
  return existsSync(join(dir, 'state.json')) && names.every((n) => existsSync(join(dir, n, 'model.json')));
}

/**
 * With --resume and a checkpoint: the checkpointed models (named `names`) and where the run stood,
 * with optimizer slots restored into `optimizers`. Otherwise: fresh models from `create`.
 */
export async function resumeOrCreate<M extends Record<string, tf.LayersModel>>(
  run: TrainingRun,
  names: (keyof M & string)[],
  create: () => M,
  optimizers: Record<string, tf.Optimizer> = {},
): Promise<RunState<M>> {
  if (run.options.resume && checkpointExists(run.checkpointDir, names)) {
    const { models, state } = await loadCheckpoint(run.checkpointDir, names);
    for (const [k, opt] of Object.entries(optimizers)) {
      if (!(await loadOptimizerState(join(run.checkpointDir, `optimizer-${k}`), opt))) console.error(`note: no saved state for optimizer ${k}; it restarts`);
    }
    console.error(`resuming from ${run.checkpointDir} after epoch ${state.epoch}`);
    for (const [saved, v] of Object.entries(state.options)) {
      const k = canonicalOption(run.spec, saved) ?? saved; // checkpoints from before a rename keep the old spelling
      if (k !== 'epochs' && k !== 'backend' && run.options[k] !== v) console.error(`warning: --${k} was ${String(v)} in the checkpointed run, now ${String(run.options[k])}`);
    }
    return { models: models as M, startEpoch: state.epoch, history: state.history, seconds: Number(state.extra?.seconds ?? 0) };
  }
  if (run.options.resume) console.error(`no checkpoint in ${run.checkpointDir}: starting afresh`);
  return { models: create(), startEpoch: 0, history: [], seconds: 0 };
}

export async function writeCheckpoint(
  run: TrainingRun,
  models: Record<string, tf.LayersModel>,
  optimizers: Record<string, tf.Optimizer>,
  epochsDone: number,
  history: EpochLogs[],
  seconds: number,
): Promise<void> {
  // Optimizer slots first: state.json (written last by saveCheckpoint) is the commit point.
  for (const [k, opt] of Object.entries(optimizers)) await saveOptimizerState(join(run.checkpointDir, `optimizer-${k}`), opt);
  const { resume: _r, out: _o, 'checkpoint-dir': _c, ...options } = run.options;
  await saveCheckpoint(run.checkpointDir, models, { epoch: epochsDone, history, options, extra: { seconds } });
}

/** Frees a finished run's networks and optimizer slots (a compiled model's optimizer is not owned by it). */
export function releaseRun(models: Record<string, tf.LayersModel>, optimizers: readonly tf.Optimizer[] = []): void {
  const all = new Set<tf.Optimizer>(optimizers);
  for (const m of Object.values(models)) if (m.optimizer) all.add(m.optimizer);
  for (const o of all) o.dispose();
  for (const m of Object.values(models)) m.dispose();
}
