// `npm run eval -- autoencoder`: PSNR of noisy vs denoised test digits (same seeded noise as at
// training time); last stdout line {"psnrNoisy","psnrDenoised","n"}.
import { ProgressBar } from '../../../cli/progress.js';
import { printResultJson, roundDeep } from '../../../cli/report.js';
import { backendReport } from '../../runtime/backend.js';
import { loadModel, modelDir } from '../../store/model-store.js';
import { evalSpec, setupEval } from '../shared/eval-cli.js';
import { denoiseScores, EVAL_NOISE_SEED } from './evaluate.js';
import { DEFAULT_NOISE_SIGMA } from './noise.js';

export const spec = evalSpec('autoencoder', 'PSNR before and after denoising on the test digits.', {
  model: { type: 'string', default: modelDir('autoencoder'), description: 'model folder' },
  sigma: { type: 'number', min: 0, max: 2, description: "noise std (default: the model's training sigma)" },
  seed: { type: 'integer', min: 0, default: EVAL_NOISE_SEED, description: 'seed of the test noise' },
});

export async function main(argv: string[]): Promise<void> {
  const { options: o, data, test } = await setupEval(spec, argv);
  const { model, metadata } = await loadModel(o.model);
  const trainedSigma = (metadata.input?.noise as { sigma?: number } | undefined)?.sigma ?? DEFAULT_NOISE_SIGMA;
  const sigma = o.sigma ?? trainedSigma;
  const bar = new ProgressBar({ total: test.count, label: 'denoising', unit: 'digits' });
  const scores = await denoiseScores(model, test, sigma, o.seed, (n) => bar.tick(n));
  console.log(`Gaussian noise sigma ${sigma}: PSNR ${scores.psnrNoisy.toFixed(2)} dB noisy -> ${scores.psnrDenoised.toFixed(2)} dB denoised (${data.source.description})`);
  printResultJson(roundDeep({ ...scores, ...backendReport() }, 3));
}
