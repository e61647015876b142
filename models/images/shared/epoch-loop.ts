// The epoch loop of the image-lab trainers: a progress bar per epoch, per-epoch figures on
// stderr, and a hook after each epoch (checkpoints, sample grids).
import { ProgressBar } from '../../../cli/progress.js';

export type EpochLogs = Record<string, number>;

export interface EpochLoopOptions {
  /** Total epochs of the run; epochs before startEpoch were done by an earlier (resumed) run. */
  epochs: number;
  startEpoch: number;
  samplesPerEpoch: number;
  /** Figures of the epochs so far (restored on resume); each finished epoch is appended. */
  history: EpochLogs[];
  /** Trains one epoch; calls tick(samples, figures) as batches finish; returns the epoch's figures. */
  runEpoch(epoch: number, tick: (samples: number, info?: Record<string, number>) => void): Promise<EpochLogs>;
  afterEpoch?(epoch: number, logs: EpochLogs): Promise<void>;
  log?: (line: string) => void;
}

export async function runEpochLoop(opts: EpochLoopOptions): Promise<EpochLogs[]> {
  const log = opts.log ?? ((s: string) => console.error(s));
  const history = opts.history;
  for (let epoch = opts.startEpoch; epoch < opts.epochs; epoch++) {
    const bar = new ProgressBar({ total: opts.samplesPerEpoch, label: `epoch ${epoch + 1}/${opts.epochs}`, unit: 'samples' });
    const started = performance.now();
    const logs = await opts.runEpoch(epoch, (n, info) => bar.tick(n, info));
    logs.seconds = (performance.now() - started) / 1000;
    history.push(logs);
    log(
      `epoch ${epoch + 1}: ${Object.entries(logs)
        .map(([k, v]) => `${k} ${formatFigure(v)}`)
        .join('  ')}`,
    );
    await opts.afterEpoch?.(epoch, logs);
  }
  return history;
}

function formatFigure(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toFixed(4);
}
