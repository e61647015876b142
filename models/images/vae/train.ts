// `npm run train -- vae`: the 32-D latent VAE.
import { VAE_CONFIG } from './model.js';
import { trainVae } from './train-loop.js';

export const main = (argv: string[]): Promise<void> => trainVae('vae', VAE_CONFIG, argv);
