// `npm run eval -- dcgan`: draws N samples from the DCGAN and lets the trained CNN judge them
// against real test digits: quality (MNIST score, CNN confidence) and mode collapse (digit
// shares and balance, diversity). The same judge the training run writes into the metadata.
// Last stdout line {"mnistScore","meanConfidence","digitBalance","diversityRatio","n","real":{…}}.
import { defineCommand, parseOptions } from '../../../cli/args.js';
import { printResultJson, printTable, roundDeep } from '../../../cli/report.js';
import { backendReport } from '../../runtime/backend.js';
import { evalDataOption } from '../shared/eval-cli.js';
import { judgeOptions, loadForJudging } from './eval-setup.js';
import { judgeUnconditionalGenerator } from './judge-unconditional.js';

export const spec = defineCommand({
  usage: 'npm run eval -- dcgan [options]',
  summary: 'Sample quality (MNIST score, CNN confidence) and mode collapse (digit balance, diversity) of the DCGAN, judged by the MNIST CNN beside real test digits.',
  options: {
    data: { ...evalDataOption, description: 'MNIST IDX folder; its test digits are the real reference (default: the npm package digits)' },
    model: { type: 'string', default: 'dcgan', description: 'generator model name or folder' },
    samples: { type: 'integer', min: 2, max: 100_000, default: 10_000, description: 'samples generated (and real test digits judged, at most the test set)' },
    'diversity-samples': { type: 'integer', min: 2, max: 2000, default: 1000, description: 'samples in the pairwise-distance measure' },
    ...judgeOptions,
  },
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const { generator, cnn, data } = await loadForJudging(o, 'unconditional');
  console.error(`judging ${o.samples} samples of ${o.model} and ${Math.min(o.samples, data.test.count)} real test digits…`);
  const j = await judgeUnconditionalGenerator(generator, cnn, data.test, {
    n: o.samples,
    diversitySamples: o['diversity-samples'],
    seed: o.seed,
  });
  printTable(
    ['', 'MNIST score', 'confidence', 'digit balance', 'diversity'],
    [
      ['generated', j.mnistScore, j.meanConfidence, j.digitBalance, j.diversity],
      ['real', j.real.mnistScore, j.real.meanConfidence, j.real.digitBalance, j.real.diversity],
    ],
  );
  const { real, ...fake } = j;
  printResultJson(roundDeep({ ...fake, real, ...backendReport() }, 4));
}
