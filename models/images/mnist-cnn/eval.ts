// `npm run eval -- mnist-cnn`: accuracy of the trained classifier on the MNIST test set, with a
// confusion summary; last stdout line {"accuracy","n"}.
import { parseOptions, type CommandSpec } from '../../../cli/args.js';
import { backendOption, useBackend } from '../../../cli/backend-option.js';
import { ProgressBar } from '../../../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../../../cli/report.js';
import { loadMnist, warnIfTestSeenInTraining } from '../../../data/mnist/load.js';
import { head } from '../../../data/mnist/types.js';
import { loadModel, modelDir } from '../../store/model-store.js';
import { evalDataOption, limitOption } from '../shared/eval-cli.js';
import { accuracyOn } from './classify.js';

const spec: CommandSpec = {
  usage: 'npm run eval -- mnist-cnn [options]',
  summary: 'Accuracy of the MNIST CNN on the test digits.',
  options: {
    data: evalDataOption,
    model: { type: 'string', default: modelDir('mnist-cnn'), description: 'model folder' },
    limit: limitOption,
    backend: backendOption,
  },
};

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  await useBackend(o.backend);
  const data = await loadMnist(o.data as string | undefined);
  warnIfTestSeenInTraining(data);
  const test = head(data.test, o.limit as number | undefined);
  const { model } = await loadModel(String(o.model));
  const bar = new ProgressBar({ total: test.count, label: 'classifying', unit: 'digits' });
  const { accuracy, predictions } = await accuracyOn(model, test, 500, (n) => bar.tick(n));
  const rows = Array.from({ length: 10 }, (_, d) => {
    let n = 0;
    let ok = 0;
    for (let i = 0; i < test.count; i++) {
      if (test.labels[i] === d) {
        n++;
        if (predictions[i] === d) ok++;
      }
    }
    return [String(d), n, ok, n ? ok / n : 0];
  });
  printTable(['digit', 'n', 'correct', 'accuracy'], rows);
  console.log(`errors: ${test.count - Math.round(accuracy * test.count)} of ${test.count} (${data.source.description})`);
  printResultJson(roundDeep({ accuracy, n: test.count }, 5));
}
