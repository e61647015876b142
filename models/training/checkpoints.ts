// Checkpoints for long training runs: the model with its optimizer state plus a small JSON of
// where the run was, written atomically at each epoch end, so that `--resume` continues it.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, fileSystemIO } from '../store/file-io.js';

export interface CheckpointState {
  /** Epochs completed. */
  epoch: number;
  /** Per-epoch history (loss, validation figures). */
  history: Record<string, number>[];
  /** The options of the run, so that a resume can check it continues the same run. */
  options: Record<string, unknown>;
  /** Anything else the trainer needs (best score so far, RNG position…). */
  extra?: Record<string, unknown>;
}

const STATE = 'state.json';

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, STATE)) && existsSync(join(dir, 'model', 'model.json'));
}

export async function saveCheckpoint(dir: string, models: Record<string, tf.LayersModel>, state: CheckpointState): Promise<void> {
  for (const [name, model] of Object.entries(models)) {
    // Saving the optimizer creates a scalar for its iteration count that tfjs never frees: a
    // scope around the save disposes it (training waits on this save, so nothing else runs).
    tf.engine().startScope();
    try {
      await model.save(fileSystemIO(join(dir, name)), { includeOptimizer: true });
    } finally {
      tf.engine().endScope();
    }
  }
  // The state file goes last: it is the commit point of a checkpoint.
  await atomicWrite(join(dir, STATE), JSON.stringify(state, null, 2));
}

export async function loadCheckpoint(dir: string, names: string[] = ['model']): Promise<{ models: Record<string, tf.LayersModel>; state: CheckpointState }> {
  if (!existsSync(join(dir, STATE))) throw new Error(`no checkpoint in ${dir} to resume from`);
  const state = JSON.parse(await readFile(join(dir, STATE), 'utf8')) as CheckpointState;
  const models: Record<string, tf.LayersModel> = {};
  for (const name of names) models[name] = await tf.loadLayersModel(fileSystemIO(join(dir, name)));
  return { models, state };
}
