// Which models can be trained and evaluated, and where their CLIs live.
import type { Subcommand } from '../../cli/subcommands.js';

export const trainers: Record<string, Subcommand> = {
  har: { summary: 'activity-recognition 1D-CNN on HAPT accelerometer data (held-out-user validation)', load: () => import('../har/train.js') },
  lm: { summary: 'LSTM next-token language model (char or word) on a text corpus', load: () => import('../lm/train.js') },
  'mnist-cnn': { summary: 'MNIST CNN classifier (conv-pool-conv-pool-dense)', load: () => import('../images/mnist-cnn/train.js') },
  autoencoder: { summary: 'denoising conv autoencoder on MNIST', load: () => import('../images/autoencoder/train.js') },
  vae: { summary: 'convolutional VAE (32-D latent) on binarized MNIST', load: () => import('../images/vae/train.js') },
  'vae-2d': { summary: 'convolutional VAE with a 2-D latent (manifold grid)', load: () => import('../images/vae/train-2d.js') },
  dcgan: { summary: 'DCGAN on MNIST (sample grids per epoch)', load: () => import('../images/gan/train-dcgan.js') },
  cgan: { summary: 'conditional GAN on MNIST (digit label in)', load: () => import('../images/gan/train-cgan.js') },
};

export const evaluators: Record<string, Subcommand> = {
  har: { summary: 'activity recognition on hapt or csv recordings: per-class P/R/F1, confusion, macro-F1', load: () => import('../har/eval.js') },
  lm: { summary: 'language model cross-entropy, top-1/3, keystroke savings vs an n-gram baseline', load: () => import('../lm/eval.js') },
  'mnist-cnn': { summary: 'MNIST CNN test accuracy', load: () => import('../images/mnist-cnn/eval.js') },
  autoencoder: { summary: 'denoiser PSNR before/after on MNIST test', load: () => import('../images/autoencoder/eval.js') },
  vae: { summary: 'VAE negative ELBO and KL per latent dim (binarized MNIST test)', load: () => import('../images/vae/eval.js') },
  dcgan: { summary: 'DCGAN samples judged by the CNN: MNIST score, confidence, digit balance, diversity', load: () => import('../images/gan/eval-dcgan.js') },
  cgan: { summary: 'CGAN samples judged by the CNN: conditional accuracy and diversity', load: () => import('../images/gan/eval.js') },
  transfer: { summary: 'few-shot transfer of the CNN features vs training from scratch', load: () => import('../images/transfer/eval.js') },
};
