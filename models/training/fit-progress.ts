// Connects tfjs model.fit to the CLI progress bar: one bar per epoch with loss and samples/s.
import type * as tf from '@tensorflow/tfjs';
import { ProgressBar } from '../../cli/progress.js';

export function progressCallback(opts: { samplesPerEpoch: number; batchSize: number; epochs: number; startEpoch?: number }): tf.CustomCallbackArgs {
  let bar: ProgressBar | undefined;
  return {
    onEpochBegin: async (epoch) => {
      bar = new ProgressBar({
        total: opts.samplesPerEpoch,
        label: `epoch ${epoch + 1}/${opts.epochs}`,
        unit: 'samples',
      });
    },
    onBatchEnd: async (_batch, logs) => {
      bar?.tick(opts.batchSize, logs?.loss !== undefined ? { loss: logs.loss } : {});
    },
  };
}
