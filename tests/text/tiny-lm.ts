// A tiny language model for the text tests, trained here for a few batches on Moby-Dick from
// the npm package: enough for real (non-uniform) predictions, fast enough for a unit test.
import * as tf from '@tensorflow/tfjs';
import { mobyDickDocuments } from '../../data/corpora/stdlib-english.js';
import type { LoadedLm } from '../../models/lm/lm-store.js';
import { LstmStepper } from '../../models/lm/lstm-step.js';
import { buildLanguageModel, compileLanguageModel } from '../../models/lm/model.js';
import { CharTokenizer, WordTokenizer, type TokenKind } from '../../models/lm/tokenizer.js';

export async function tinyLm(kind: TokenKind, name = `tiny-${kind}`): Promise<LoadedLm> {
  const text = mobyDickDocuments()
    .slice(3, 8)
    .map((d) => d.text)
    .join('\n\n');
  const tokenizer = kind === 'word' ? WordTokenizer.fromText(text, 500) : CharTokenizer.fromText(text);
  const ids = tokenizer.encode(text);
  const model = buildLanguageModel({ vocabSize: tokenizer.size, embedDim: 16, units: [32], projection: 0, dropout: 0 }, 7);
  compileLanguageModel(model, 0.01);
  const seq = 16;
  const n = 64;
  const xs: number[][] = [];
  const ys: number[][][] = [];
  for (let i = 0; i < n; i++) {
    const s = (i * 97) % (ids.length - seq - 1);
    xs.push(ids.slice(s, s + seq));
    ys.push(ids.slice(s + 1, s + seq + 1).map((t) => [t]));
  }
  const x = tf.tensor2d(xs, [n, seq], 'int32');
  const y = tf.tensor3d(ys, [n, seq, 1]);
  await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
  x.dispose();
  y.dispose();
  return { name, model, stepper: LstmStepper.fromModel(model), tokenizer, metadata: { name, kind: 'lm-lstm' } };
}
