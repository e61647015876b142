// Reads MNIST from a folder holding the four original IDX .gz files (e.g. ../shared/data/mnist).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseIdx } from './idx.js';
import type { MnistSet } from './types.js';

export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

export async function readIdxPair(dir: string, imagesFile: string, labelsFile: string): Promise<MnistSet> {
  const [img, lab] = await Promise.all([readIdxFile(dir, imagesFile), readIdxFile(dir, labelsFile)]);
  if (img.dims.length !== 3) throw new Error(`${imagesFile}: expected 3 dimensions (count, rows, cols), got ${img.dims.length}`);
  if (lab.dims.length !== 1) throw new Error(`${labelsFile}: expected 1 dimension, got ${lab.dims.length}`);
  const [count, rows, cols] = img.dims as [number, number, number];
  if (lab.dims[0] !== count) throw new Error(`${imagesFile} has ${count} images but ${labelsFile} has ${lab.dims[0]} labels`);
  const bad = lab.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`${labelsFile}: label ${lab.data[bad]} at ${bad} is not a digit`);
  return { images: img.data, labels: lab.data, count, rows, cols };
}

async function readIdxFile(dir: string, name: string) {
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(`${path} not found: --data must be a folder holding the four MNIST IDX files (${Object.values(IDX_FILES).join(', ')})`);
  }
  return parseIdx(await readFile(path), path);
}

export async function readMnistDir(dir: string): Promise<{ train: MnistSet; test: MnistSet }> {
  const [train, test] = await Promise.all([readIdxPair(dir, IDX_FILES.trainImages, IDX_FILES.trainLabels), readIdxPair(dir, IDX_FILES.testImages, IDX_FILES.testLabels)]);
  return { train, test };
}
