// The work of the image routes that takes more than a few ms: model calls (MNIST CNN, denoising
// autoencoder, VAEs, GANs), the convolution playground's arithmetic, decoding PNG uploads and
// encoding large replies. Each job takes and gives
// plain data (digits as 784-byte arrays), so it can run in the image worker thread
// (image-worker.ts) while the routes stay on the event loop every socket shares.
import * as tf from '@tensorflow/tfjs';
import { addGaussianNoise } from '../../models/images/autoencoder/noise.js';
import { psnrPerImage } from '../../models/images/autoencoder/psnr.js';
import { convolve2d, type ConvolveOptions } from '../../models/images/convolution/convolve.js';
import type { Matrix } from '../../models/images/convolution/matrix.js';
import { pool2d, type PoolOptions } from '../../models/images/convolution/pool.js';
import { noiseDimOf } from '../../models/images/gan/models.js';
import { generate, interpolate, noise, noiseForSeed } from '../../models/images/gan/sampling.js';
import { classifyBatch, firstLayerFeatureMaps } from '../../models/images/mnist-cnn/classify.js';
import { decode, encode, samplePrior, type Encoding } from '../../models/images/vae/latent-ops.js';
import { latentDimOf } from '../../models/images/vae/model.js';
import { digitsToTensor, tensorToDigits } from './digit-tensors.js';
import { badRequest } from './errors.js';
import { decodePng, digitFromPng, matrixFromPng } from './image-input.js';
import type { ImageModelLoader } from './model-loader.js';
import type { ReplyFormat } from './negotiate.js';
import { encodeDigits, type EncodedDigits } from './replies.js';

export type VaeName = 'vae' | 'vae-2d';
export type GanName = 'dcgan' | 'cgan';

/** Each job's arguments and result. */
export interface ImageJobs {
  classify: {
    args: { digit: Uint8Array; featureMaps: boolean };
    result: { label: number; probabilities: number[]; featureMaps?: { maps: Float32Array[]; height: number; width: number } };
  };
  denoise: {
    args: { digit: Uint8Array; noise?: number; seed?: number };
    result: { denoised: Uint8Array; noisy?: Uint8Array; psnr?: { noisy: number; denoised: number } };
  };
  /** q(z|x) of each digit. */
  vaeEncode: { args: { model: VaeName; digits: Uint8Array[] }; result: { latentDim: number; codes: Encoding[] } };
  /** Digits for latent vectors; a vector of the wrong length is a 400 `bad-latent`. */
  vaeDecode: { args: { model: VaeName; z: number[][]; needs2d?: boolean }; result: { images: Uint8Array[] } };
  vaeSample: { args: { model: VaeName; n: number; seed: number }; result: { z: number[][]; images: Uint8Array[] } };
  ganSample: { args: { model: GanName; n: number; seed: number; labels?: number[] }; result: { images: Uint8Array[] } };
  /** A walk through noise space from the vector of seed `from` to that of seed `to`. */
  ganInterpolate: { args: { model: GanName; from: number; to: number; steps: number; path: 'slerp' | 'linear'; labels?: number[] }; result: { images: Uint8Array[] } };
  convolve: { args: { image: Matrix; weights: Matrix; opts: ConvolveOptions }; result: Matrix };
  pool: { args: { image: Matrix; opts: PoolOptions }; result: Matrix };
  /** A PNG (decoded, resized to 28x28 by area) as a digit; `what` names it in errors. */
  pngDigit: { args: { png: Uint8Array; what: string; invert?: boolean }; result: Uint8Array };
  /** A PNG as a matrix of 0..255 for the playground (413 beyond maxSide). */
  pngMatrix: { args: { png: Uint8Array; what: string; maxSide: number }; result: Matrix };
  /** A reply body of many digits: a PNG sheet or the JSON text of their rows. */
  encodeDigits: { args: { format: ReplyFormat; digits: Uint8Array[]; columns?: number }; result: EncodedDigits };
}

export type ImageJobName = keyof ImageJobs;

type Runners = { [K in ImageJobName]: (args: ImageJobs[K]['args']) => Promise<ImageJobs[K]['result']> };

/** The jobs over one set of models. */
export function imageJobRunners(models: ImageModelLoader): Runners {
  const vaeDecode = async ({ model, z, needs2d }: ImageJobs['vaeDecode']['args']) => {
    const vae = await models.get(model);
    const d = latentDimOf(vae);
    if (needs2d && d !== 2) throw badRequest('not-2d', 'the manifold needs the 2-D latent VAE (vae-2d)');
    const bad = z.findIndex((v) => v.length !== d);
    if (bad >= 0) throw badRequest('bad-latent', `model '${model}' has a ${d}-D latent space; vector ${bad} has ${z[bad]!.length} components`);
    return { images: await tensorToDigits(decode(vae, z)) };
  };

  return {
    async classify({ digit, featureMaps }) {
      const { model } = await models.get('mnist-cnn');
      const x = digitsToTensor([digit]);
      try {
        const [c] = await classifyBatch(model, x);
        return { ...c!, ...(featureMaps ? { featureMaps: await firstLayerFeatureMaps(model, x) } : {}) };
      } finally {
        x.dispose();
      }
    },

    async denoise({ digit, noise: sigma, seed }) {
      const { model } = await models.get('autoencoder');
      const clean = digitsToTensor([digit]);
      const noisy = sigma ? addGaussianNoise(clean, sigma, seed) : clean;
      const denoisedT = tf.tidy(() => model.predict(noisy) as tf.Tensor4D);
      try {
        const psnr = sigma ? { noisy: (await psnrPerImage(noisy, clean))[0]!, denoised: (await psnrPerImage(denoisedT, clean))[0]! } : undefined;
        const [denoised] = await tensorToDigits(denoisedT.clone());
        if (!sigma) return { denoised: denoised! };
        return { denoised: denoised!, noisy: (await tensorToDigits(noisy.clone()))[0]!, psnr };
      } finally {
        tf.dispose([clean, noisy, denoisedT]);
      }
    },

    async vaeEncode({ model, digits }) {
      const vae = await models.get(model);
      const x = digitsToTensor(digits);
      try {
        return { latentDim: latentDimOf(vae), codes: await encode(vae, x) };
      } finally {
        x.dispose();
      }
    },

    vaeDecode,

    async vaeSample({ model, n, seed }) {
      const z = await samplePrior(await models.get(model), n, seed);
      return { z, ...(await vaeDecode({ model, z })) };
    },

    async ganSample({ model, n, seed, labels }) {
      const { generator } = await models.get(model);
      const z = noise(n, noiseDimOf(generator), seed);
      try {
        return { images: await tensorToDigits(generate(generator, z, labels)) };
      } finally {
        z.dispose();
      }
    },

    async ganInterpolate({ model, from, to, steps, path, labels }) {
      const { generator } = await models.get(model);
      const points = interpolate(await noiseForSeed(generator, from), await noiseForSeed(generator, to), steps, path);
      const z = tf.tensor2d(points.map((p) => Array.from(p)));
      try {
        return { images: await tensorToDigits(generate(generator, z, labels)) };
      } finally {
        z.dispose();
      }
    },

    async convolve({ image, weights, opts }) {
      return convolve2d(image, weights, opts);
    },

    async pool({ image, opts }) {
      return pool2d(image, opts);
    },

    async pngDigit({ png, what, invert }) {
      return digitFromPng(decodePng(png, what), { invert });
    },

    async pngMatrix({ png, what, maxSide }) {
      return matrixFromPng(decodePng(png, what), what, maxSide);
    },

    async encodeDigits({ format, digits, columns }) {
      return encodeDigits(format, digits, columns);
    },
  };
}
