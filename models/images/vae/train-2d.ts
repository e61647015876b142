// `npm run train -- vae-2d`: the 2-D latent VAE whose latent plane the manifold grid shows.
import { VAE_2D_CONFIG } from './model.js';
import { trainVae, vaeTrainSpec } from './train-loop.js';

export const spec = vaeTrainSpec('vae-2d', VAE_2D_CONFIG);
export const main = (argv: string[]): Promise<void> => trainVae('vae-2d', VAE_2D_CONFIG, argv);
