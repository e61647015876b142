// Inference with a trained MNIST CNN: class probabilities, and the first conv layer's maps.
import * as tf from '@tensorflow/tfjs';
import type { MnistSet } from '../../../data/mnist/types.js';
import { batchRanges, imageBatch, rangeIndices } from '../shared/batches.js';
import { FIRST_CONV_LAYER } from './model.js';

export interface Classification {
  label: number;
  probabilities: number[];
}

/** Probabilities for a [n, 28, 28, 1] batch in [0, 1]. */
export async function classifyBatch(model: tf.LayersModel, x: tf.Tensor4D): Promise<Classification[]> {
  const probs = tf.tidy(() => model.predict(x) as tf.Tensor2D);
  const rows = (await probs.array()) as number[][];
  probs.dispose();
  return rows.map((p) => ({ label: argmax(p), probabilities: p }));
}

export interface FeatureMaps {
  /** maps[k] = the k-th filter's response, height x width. */
  maps: Float32Array[];
  height: number;
  width: number;
}

const featureModels = new WeakMap<tf.LayersModel, tf.LayersModel>();

/** A model sharing `model`'s weights that stops at the first conv layer. */
function featureModel(model: tf.LayersModel): tf.LayersModel {
  let sub = featureModels.get(model);
  if (!sub) {
    sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(FIRST_CONV_LAYER).output as tf.SymbolicTensor });
    featureModels.set(model, sub);
  }
  return sub;
}

/** The first conv layer's output (after its ReLU) for one [1, 28, 28, 1] image. */
export async function firstLayerFeatureMaps(model: tf.LayersModel, x: tf.Tensor4D): Promise<FeatureMaps> {
  const out = tf.tidy(() => featureModel(model).predict(x.slice([0, 0, 0, 0], [1, -1, -1, -1])) as tf.Tensor4D);
  const [, height, width, filters] = out.shape;
  // [1, h, w, f] -> f maps of h*w
  const chw = tf.tidy(() => out.squeeze([0]).transpose([2, 0, 1]));
  const data = (await chw.data()) as Float32Array;
  tf.dispose([out, chw]);
  const px = height * width;
  return { maps: Array.from({ length: filters }, (_, k) => data.slice(k * px, (k + 1) * px)), height, width };
}

/** Accuracy over a whole set, in batches; also the predictions. */
export async function accuracyOn(model: tf.LayersModel, set: MnistSet, batch = 500, onBatch?: (n: number) => void): Promise<{ accuracy: number; predictions: Uint8Array }> {
  const predictions = new Uint8Array(set.count);
  let correct = 0;
  for (const [s, e] of batchRanges(set.count, batch)) {
    const pred = tf.tidy(() => (model.predict(imageBatch(set, rangeIndices(s, e))) as tf.Tensor2D).argMax(1));
    const p = await pred.data();
    pred.dispose();
    for (let i = 0; i < p.length; i++) {
      predictions[s + i] = p[i]!;
      if (p[i] === set.labels[s + i]) correct++;
    }
    onBatch?.(e - s);
  }
  return { accuracy: correct / Math.max(1, set.count), predictions };
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}
