// The two GANs. DCGAN: G(z), D(x). Conditional GAN (Mirza & Osindero, 2014): the one-hot digit
// label is concatenated to the noise in G; D either sees it too, as an extra learned 28x28 plane
// next to the image, or (AC-GAN, Odena et al., 2017) sees the image alone and names its digit
// with an auxiliary head of 10 logits beside the real/fake logit. D must not see the label when it
// names the digit: its head would just read the label back, and G would learn nothing from it.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../../lib/random.js';
import { discriminatorBody, generatorBody, type GanConfig, type Sym } from './layers.js';

export type GanKind = 'dcgan' | 'cgan';

// A type alias (not an interface) so that it is a Record<string, LayersModel> for checkpoints.
export type Gan = {
  /** dcgan: z [n, noiseDim] -> image; cgan: [z, onehot [n, 10]] -> image. Images in [-1, 1]. */
  generator: tf.LayersModel;
  /** dcgan: image -> logit [n, 1]; cgan: [image, onehot] -> logit, or with the auxiliary head image -> [logit, digit logits [n, 10]]. */
  discriminator: tf.LayersModel;
};

export interface GanOptions {
  /** cgan only: give D the auxiliary digit-classifier head. */
  auxClassifier?: boolean;
}

export function buildGan(kind: GanKind, c: GanConfig, seed: number, opts: GanOptions = {}): Gan {
  if (kind === 'dcgan' && opts.auxClassifier) throw new Error('the auxiliary classifier needs labels: cgan only');
  return kind === 'dcgan' ? buildDcgan(c, seed) : buildCgan(c, seed, opts.auxClassifier ?? false);
}

function buildDcgan(c: GanConfig, seed: number): Gan {
  const z = tf.input({ shape: [c.noiseDim], name: 'z' });
  const generator = tf.model({ inputs: z, outputs: generatorBody(z, c, seed), name: 'dcgan_generator' });
  const image = tf.input({ shape: [28, 28, 1], name: 'image' });
  const discriminator = tf.model({ inputs: image, outputs: discriminatorBody(image, c, seed).logit, name: 'dcgan_discriminator' });
  return { generator, discriminator };
}

function buildCgan(c: GanConfig, seed: number, aux: boolean): Gan {
  const z = tf.input({ shape: [c.noiseDim], name: 'z' });
  const gLabel = tf.input({ shape: [10], name: 'label' });
  const gIn = tf.layers.concatenate().apply([z, gLabel]) as Sym;
  const generator = tf.model({ inputs: [z, gLabel], outputs: generatorBody(gIn, c, seed), name: 'cgan_generator' });

  const image = tf.input({ shape: [28, 28, 1], name: 'image' });
  if (aux) {
    const { logit, features } = discriminatorBody(image, c, seed);
    const digits = tf.layers.dense({ name: 'digit_logits', units: 10, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02, seed: deriveSeed(seed, 21) }) }).apply(features) as Sym;
    return { generator, discriminator: tf.model({ inputs: image, outputs: [logit, digits], name: 'acgan_discriminator' }) };
  }
  const dLabel = tf.input({ shape: [10], name: 'label' });
  let plane = tf.layers.dense({ units: 28 * 28, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02, seed: deriveSeed(seed, 20) }) }).apply(dLabel) as Sym;
  plane = tf.layers.reshape({ targetShape: [28, 28, 1] }).apply(plane) as Sym;
  const dIn = tf.layers.concatenate().apply([image, plane]) as Sym;
  const discriminator = tf.model({ inputs: [image, dLabel], outputs: discriminatorBody(dIn, c, seed).logit, name: 'cgan_discriminator' });
  return { generator, discriminator };
}

/** Whether a discriminator has the auxiliary digit head (two outputs). */
export function hasAuxClassifier(discriminator: tf.LayersModel): boolean {
  return discriminator.outputs.length === 2;
}

export function noiseDimOf(generator: tf.LayersModel): number {
  return generator.inputs[0]!.shape[1] as number;
}

export function isConditional(generator: tf.LayersModel): boolean {
  return generator.inputs.length === 2;
}
