// `npm run eval -- mnist-cnn`: accuracy of the trained classifier on the MNIST test set, with a
// confusion summary; last stdout line {"accuracy","n"}.
import { ProgressBar } from '../../../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../../../cli/report.js';
import { backendReport } from '../../runtime/backend.js';
import { loadModel, modelDir } from '../../store/model-store.js';
import { evalSpec, setupEval } from '../shared/eval-cli.js';
import { accuracyOn } from './classify.js';

export const spec = evalSpec('mnist-cnn', 'Accuracy of the MNIST CNN on the test digits.', {
  model: { type: 'string', default: modelDir('mnist-cnn'), description: 'model folder' },
});

export async function main(argv: string[]): Promise<void> {
  const { options: o, data, test } = await setupEval(spec, argv);
  const { model } = await loadModel(o.model);
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
  printResultJson(roundDeep({ accuracy, n: test.count, ...backendReport() }, 5));
}
