// `npm run eval -- autoencoder`: PSNR of noisy vs denoised test digits (same seeded noise as at
// training time); last stdout line {"psnrNoisy","psnrDenoised","n"}.
import { parseOptions, type CommandSpec } from '../../../cli/args.js';
import { backendOption, useBackend } from '../../../cli/backend-option.js';
import { ProgressBar } from '../../../cli/progress.js';
import { printResultJson, roundDeep } from '../../../cli/report.js';
import { loadMnist, warnIfTestSeenInTraining } from '../../../data/mnist/load.js';
import { head } from '../../../data/mnist/types.js';
import { loadModel, modelDir } from '../../store/model-store.js';
import { evalDataOption, limitOption } from '../shared/eval-cli.js';
import { denoiseScores, EVAL_NOISE_SEED } from './evaluate.js';
import { DEFAULT_NOISE_SIGMA } from './noise.js';

const spec: CommandSpec = {
  usage: 'npm run eval -- autoencoder [options]',
  summary: 'PSNR before and after denoising on the test digits.',
  options: {
    data: evalDataOption,
    model: { type: 'string', default: modelDir('autoencoder'), description: 'model folder' },
    sigma: { type: 'number', min: 0, max: 2, description: "noise std (default: the model's training sigma)" },
    seed: { type: 'integer', min: 0, default: EVAL_NOISE_SEED, description: 'seed of the test noise' },
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
  const { model, metadata } = await loadModel(String(o.model));
  const trainedSigma = (metadata.input?.noise as { sigma?: number } | undefined)?.sigma ?? DEFAULT_NOISE_SIGMA;
  const sigma = o.sigma === undefined ? trainedSigma : Number(o.sigma);
  const bar = new ProgressBar({ total: test.count, label: 'denoising', unit: 'digits' });
  const scores = await denoiseScores(model, test, sigma, Number(o.seed), (n) => bar.tick(n));
  console.log(`Gaussian noise sigma ${sigma}: PSNR ${scores.psnrNoisy.toFixed(2)} dB noisy -> ${scores.psnrDenoised.toFixed(2)} dB denoised (${data.source.description})`);
  printResultJson(roundDeep({ ...scores }, 3));
}
