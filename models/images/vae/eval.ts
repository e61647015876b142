// `npm run eval -- vae`: -ELBO (nats) on binarized test digits, split into reconstruction and KL,
// and the KL of each latent dimension; last stdout line {"negElbo","recon","kl","klPerDim","n"}.
import { parseOptions, type CommandSpec } from '../../../cli/args.js';
import { backendOption, useBackend } from '../../../cli/backend-option.js';
import { ProgressBar } from '../../../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../../../cli/report.js';
import { loadMnist, warnIfTestSeenInTraining } from '../../../data/mnist/load.js';
import { head } from '../../../data/mnist/types.js';
import { evalDataOption, limitOption } from '../shared/eval-cli.js';
import { BINARIZATIONS, type Binarization } from './binarize.js';
import { evaluateElbo, EVAL_SEED } from './evaluate.js';
import { loadVae } from './load.js';

const spec: CommandSpec = {
  usage: 'npm run eval -- vae [options]',
  summary: 'Negative ELBO of the VAE on binarized test digits.',
  options: {
    data: evalDataOption,
    model: { type: 'string', default: 'vae', description: 'model name under models/trained, or a folder (e.g. vae-2d)' },
    binarize: { type: 'string', choices: BINARIZATIONS, description: "test binarization (default: the model's training one)" },
    seed: { type: 'integer', min: 0, default: EVAL_SEED, description: 'seed of the test binarization and eps draws' },
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
  const vae = await loadVae(String(o.model));
  const how = (o.binarize ?? vae.metadata.input?.binarization ?? 'sample') as Binarization;
  const bar = new ProgressBar({ total: test.count, label: 'ELBO', unit: 'digits' });
  const r = await evaluateElbo(vae, test, how, Number(o.seed), (n) => bar.tick(n));
  printTable(
    ['latent dim', 'KL (nats)'],
    r.klPerDim.map((v, j) => [String(j), v]),
  );
  console.log(`-ELBO ${r.negElbo.toFixed(2)} nats = recon ${r.recon.toFixed(2)} + KL ${r.kl.toFixed(2)}; ${r.activeDims}/${r.klPerDim.length} active dims; binarization ${how}`);
  printResultJson(roundDeep({ negElbo: r.negElbo, recon: r.recon, kl: r.kl, klPerDim: r.klPerDim, n: r.n, binarization: how, activeDims: r.activeDims }, 3));
}
