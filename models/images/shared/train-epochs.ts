// The training loop every image-lab trainer runs: per epoch a seeded shuffle of the training digits
// (seeded per epoch, so that a resumed run replays the same order), one step per batch with the
// epoch's running means on the progress bar, then the epoch's figures, the trainer's own
// after-epoch work (sample sheets) and a checkpoint. Keeps the run's training seconds across resumes.
import type * as tf from '@tensorflow/tfjs';
import type { MnistSet } from '../../../data/mnist/types.js';
import { batchRanges } from './batches.js';
import { runEpochLoop, type EpochLogs } from './epoch-loop.js';
import { createRandom, deriveSeed, type Random } from '../../../lib/random.js';
import { writeCheckpoint, type RunState, type TrainingRun } from './run-setup.js';

export interface BatchContext {
  epoch: number;
  /** The batch's index within the epoch. */
  batch: number;
  /** The epoch's random stream, after the shuffle (for augmentation). */
  rand: Random;
}

export interface TrainEpochsOptions {
  /** The digits to train on; default run.train. */
  train?: MnistSet;
  /** What the checkpoint holds: the networks and the optimizers of custom loops (minimize). */
  checkpoint: { models: Record<string, tf.LayersModel>; optimizers?: Record<string, tf.Optimizer> };
  beforeEpoch?(epoch: number): void;
  /** Trains on the digits `idx`; returns the batch's figures (the epoch reports their means over digits). */
  step(idx: Int32Array, ctx: BatchContext): Promise<EpochLogs>;
  /** Figures added to the epoch's means once its batches are done (e.g. validation accuracy). */
  epochFigures?(epoch: number): Promise<EpochLogs>;
  /** Work after the epoch's figures, before its checkpoint (e.g. a sample sheet). */
  afterEpoch?(epoch: number): Promise<void>;
}

/** Runs the epochs left in `state` (appending to state.history); returns the run's training seconds. */
export async function trainEpochs(run: TrainingRun, state: RunState<Record<string, tf.LayersModel>>, opts: TrainEpochsOptions): Promise<number> {
  const train = opts.train ?? run.train;
  const started = performance.now();
  const elapsed = () => state.seconds + (performance.now() - started) / 1000;
  await runEpochLoop({
    epochs: run.epochs,
    startEpoch: state.startEpoch,
    history: state.history,
    samplesPerEpoch: train.count,
    runEpoch: async (epoch, tick) => {
      opts.beforeEpoch?.(epoch);
      const rand = createRandom(deriveSeed(run.seed, 1000 + epoch));
      const order = rand.shuffledIndices(train.count);
      const sums: EpochLogs = {};
      let seen = 0;
      let batch = 0;
      const means = (): EpochLogs => Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / seen]));
      for (const [s, e] of batchRanges(train.count, run.batch)) {
        const idx = order.subarray(s, e);
        const figures = await opts.step(idx, { epoch, batch: batch++, rand });
        for (const [k, v] of Object.entries(figures)) sums[k] = (sums[k] ?? 0) + v * idx.length;
        seen += idx.length;
        tick(idx.length, means());
      }
      return { ...means(), ...(await opts.epochFigures?.(epoch)) };
    },
    afterEpoch: async (epoch) => {
      await opts.afterEpoch?.(epoch);
      await writeCheckpoint(run, opts.checkpoint.models, opts.checkpoint.optimizers ?? {}, epoch + 1, state.history, elapsed());
    },
  });
  return elapsed();
}
