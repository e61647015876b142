// `npm run eval -- cgan`: asks the conditional generator for N samples of each digit and lets the
// trained CNN say which digit each is; also the same-label diversity against real test digits.
// Last stdout line {"conditionalAccuracy","diversity","n", …}.
import { defineCommand, parseOptions } from '../../../cli/args.js';
import { ProgressBar } from '../../../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../../../cli/report.js';
import { backendReport } from '../../runtime/backend.js';
import { evalDataOption } from '../shared/eval-cli.js';
import { judgeOptions, loadForJudging } from './eval-setup.js';
import { judgeConditionalGenerator } from './judge.js';

export const spec = defineCommand({
  usage: 'npm run eval -- cgan [options]',
  summary: 'Conditional accuracy (judged by the MNIST CNN) and diversity of the conditional GAN.',
  options: {
    data: { ...evalDataOption, description: 'MNIST IDX folder; its test digits are the diversity reference (default: the npm package digits)' },
    model: { type: 'string', default: 'cgan', description: 'generator model name or folder' },
    'per-label': { type: 'integer', min: 2, max: 5000, default: 1000, description: 'samples generated per digit' },
    'diversity-samples': { type: 'integer', min: 2, max: 1000, default: 200, description: 'samples per digit in the pairwise-distance measure' },
    ...judgeOptions,
  },
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const { generator, cnn, data } = await loadForJudging(o, 'conditional');
  const bar = new ProgressBar({ total: 10, label: 'judging', unit: 'digits' });
  const j = await judgeConditionalGenerator(generator, cnn, data.test, {
    perLabel: o['per-label'],
    diversitySamples: o['diversity-samples'],
    seed: o.seed,
    onLabel: () => bar.tick(1),
  });
  printTable(
    ['digit', 'classified as asked'],
    j.perLabelAccuracy.map((a, d) => [String(d), a]),
  );
  console.log(
    `conditional accuracy ${(j.conditionalAccuracy * 100).toFixed(2)}% of ${j.n}; same-label mean pairwise L2: generated ${j.diversity.toFixed(3)}, real ${j.realDiversity.toFixed(3)} (ratio ${j.diversityRatio.toFixed(3)})`,
  );
  printResultJson(roundDeep({ conditionalAccuracy: j.conditionalAccuracy, diversity: j.diversity, n: j.n, realDiversity: j.realDiversity, diversityRatio: j.diversityRatio, ...backendReport() }, 4));
}
