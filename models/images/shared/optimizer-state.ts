// Saves and restores an optimizer's slots (Adam's moments, step count) for custom training loops
// that call optimizer.minimize directly, which model.save cannot capture. Slots are restored by
// position, so the variables must be optimized in the same order (a model's trainableWeights).
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { atomicWrite } from '../../store/file-io.js';

export async function saveOptimizerState(path: string, optimizer: tf.Optimizer): Promise<void> {
  const weights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  // getWeights hands back the slot variables themselves plus a fresh step-count scalar: free that one.
  for (const w of weights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  await atomicWrite(`${path}.bin`, new Uint8Array(data));
  await atomicWrite(`${path}.json`, JSON.stringify(specs));
}

/** Restores the slots when a saved state exists; returns whether it did. */
export async function loadOptimizerState(path: string, optimizer: tf.Optimizer): Promise<boolean> {
  if (!existsSync(`${path}.json`)) return false;
  const specs = JSON.parse(await readFile(`${path}.json`, 'utf8')) as tf.io.WeightsManifestEntry[];
  const buf = await readFile(`${path}.bin`);
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, specs);
  await optimizer.setWeights(specs.map((s) => ({ name: s.name, tensor: map[s.name]! })));
  // setWeights turns each slot tensor into a new variable (sharing its data) and only reads the
  // step count: the decoded tensors themselves are left to us.
  tf.dispose(Object.values(map));
  return true;
}

/** Changes an optimizer's learning rate in place (tfjs reads it at every step). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}
