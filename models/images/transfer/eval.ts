// `npm run eval -- transfer`: reuses the trained CNN's conv features for a new task with few
// labelled examples (upside-down or inverted digits, 10 per class by default) and compares with
// training the same CNN from scratch on the same examples. Repeats with different example draws;
// last stdout line {"task","shots","transfer","scratch","n", …} with mean accuracies.
import { defineCommand, parseOptions } from '../../../cli/args.js';
import { backendOption, useBackend } from '../../../cli/backend-option.js';
import { ProgressBar } from '../../../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../../../cli/report.js';
import { loadMnist } from '../../../data/mnist/load.js';
import { head } from '../../../data/mnist/types.js';
import { backendReport } from '../../runtime/backend.js';
import { loadModel, modelDir } from '../../store/model-store.js';
import { evalDataOption, limitOption } from '../shared/eval-cli.js';
import { deriveSeed } from '../../../lib/random.js';
import { runTransferExperiment, type TransferResult } from './experiment.js';
import { transformSet, TRANSFER_TASKS, type TransferTask } from './tasks.js';

export const spec = defineCommand({
  usage: 'npm run eval -- transfer [options]',
  summary: "Few-shot transfer of the MNIST CNN's conv features to a new task, against training from scratch.",
  options: {
    data: evalDataOption,
    task: { type: 'string', choices: TRANSFER_TASKS, default: 'rotate180', description: 'the new task: digits turned 180 degrees, or inverted (black on white)' },
    shots: { type: 'integer', min: 1, max: 500, default: 10, description: 'labelled examples per digit' },
    repeats: { type: 'integer', min: 1, max: 20, default: 3, description: 'independent draws of the few examples' },
    epochs: { type: 'integer', min: 1, default: 60, description: 'passes over the few examples (both contenders)' },
    lr: { type: 'number', min: 0, default: 0.001, description: 'Adam learning rate (both contenders)' },
    seed: { type: 'integer', min: 0, default: 1, description: 'seed of the example draws and initialisations' },
    model: { type: 'string', default: modelDir('mnist-cnn'), description: 'pretrained CNN folder' },
    limit: limitOption,
    backend: backendOption,
  },
  notes: 'The few examples come from the training digits; accuracy is on the transformed test digits.',
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const backend = await useBackend(o.backend);
  const task: TransferTask = o.task;
  const data = await loadMnist(o.data);
  const train = transformSet(data.train, task);
  const test = transformSet(head(data.test, o.limit), task);
  const { model: cnn } = await loadModel(o.model);
  const repeats = o.repeats;
  const bar = new ProgressBar({ total: repeats, label: `transfer ${task}`, unit: 'runs', intervalMs: 1 });
  const rows: (string | number)[][] = [];
  const results: TransferResult[] = [];
  for (let r = 0; r < repeats; r++) {
    const res = await runTransferExperiment(cnn, train, test, {
      shots: o.shots,
      seed: deriveSeed(o.seed, r),
      epochs: o.epochs,
      learningRate: o.lr,
    });
    results.push(res);
    rows.push([String(r + 1), res.trainExamples, res.transfer, res.scratch]);
    bar.tick(1, { transfer: res.transfer, scratch: res.scratch });
  }
  const mean = (k: 'transfer' | 'scratch') => results.reduce((s, x) => s + x[k], 0) / results.length;
  const sd = (k: 'transfer' | 'scratch') => Math.sqrt(results.reduce((s, x) => s + (x[k] - mean(k)) ** 2, 0) / Math.max(1, results.length - 1));
  printTable(['run', 'examples', 'transfer acc', 'scratch acc'], rows);
  console.log(
    `${task}, ${o.shots} per class, ${test.count} test digits: transfer ${(mean('transfer') * 100).toFixed(2)}% ± ${(sd('transfer') * 100).toFixed(2)}, ` +
      `scratch ${(mean('scratch') * 100).toFixed(2)}% ± ${(sd('scratch') * 100).toFixed(2)} (mean ± sd over ${repeats} draws)`,
  );
  printResultJson(
    roundDeep(
      { task, shots: o.shots, transfer: mean('transfer'), scratch: mean('scratch'), transferSd: sd('transfer'), scratchSd: sd('scratch'), repeats, n: test.count, ...backendReport(backend) },
      4,
    ),
  );
}
