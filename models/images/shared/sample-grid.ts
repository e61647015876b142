// Writes a batch of generated [n, 28, 28, 1] images in [0, 1] as one PNG sheet (per-epoch
// samples of the generative models, so progress can be seen while training runs).
import type * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tileImages } from './grid.js';
import { tensorToByteImages } from './pixels.js';
import { encodeGrayPng } from './png.js';

export async function writeSampleGrid(path: string, images: tf.Tensor, columns?: number): Promise<void> {
  const [, h, w] = images.shape;
  const sheet = tileImages(await tensorToByteImages(images), { width: w!, height: h! }, columns);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, encodeGrayPng(sheet));
}
