// `npm run eval -- vae`: -ELBO (nats) on binarized test digits, split into reconstruction and KL,
// and the KL of each latent dimension; last stdout line {"negElbo","recon","kl","klPerDim","n"}.
import { ProgressBar } from '../../../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../../../cli/report.js';
import { backendReport } from '../../runtime/backend.js';
import { evalSpec, setupEval } from '../shared/eval-cli.js';
import { BINARIZATIONS, isBinarization, type Binarization } from './binarize.js';
import { evaluateElbo, EVAL_SEED } from './evaluate.js';
import { loadVae } from './load.js';

export const spec = evalSpec('vae', 'Negative ELBO of the VAE on binarized test digits.', {
  model: { type: 'string', default: 'vae', description: 'model name under models/trained, or a folder (e.g. vae-2d)' },
  binarize: { type: 'string', choices: BINARIZATIONS, description: "test binarization (default: the model's training one)" },
  seed: { type: 'integer', min: 0, default: EVAL_SEED, description: 'seed of the test binarization and eps draws' },
});

export async function main(argv: string[]): Promise<void> {
  const { options: o, test } = await setupEval(spec, argv);
  const vae = await loadVae(o.model);
  const trained = vae.metadata.input?.binarization;
  const how: Binarization = o.binarize ?? (isBinarization(trained) ? trained : 'sample');
  const bar = new ProgressBar({ total: test.count, label: 'ELBO', unit: 'digits' });
  const r = await evaluateElbo(vae, test, how, o.seed, (n) => bar.tick(n));
  printTable(
    ['latent dim', 'KL (nats)'],
    r.klPerDim.map((v, j) => [String(j), v]),
  );
  console.log(`-ELBO ${r.negElbo.toFixed(2)} nats = recon ${r.recon.toFixed(2)} + KL ${r.kl.toFixed(2)}; ${r.activeDims}/${r.klPerDim.length} active dims; binarization ${how}`);
  printResultJson(roundDeep({ negElbo: r.negElbo, recon: r.recon, kl: r.kl, klPerDim: r.klPerDim, n: r.n, binarization: how, activeDims: r.activeDims, ...backendReport() }, 3));
}
