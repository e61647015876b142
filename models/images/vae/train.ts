// `npm run train -- vae`: the 32-D latent VAE.
import { VAE_CONFIG } from './model.js';
import { trainVae, vaeTrainSpec } from './train-loop.js';

export const spec = vaeTrainSpec('vae', VAE_CONFIG);
export const main = (argv: string[]): Promise<void> => trainVae('vae', VAE_CONFIG, argv);
