// The LSTM language model: token ids -> embedding -> LSTM layer(s) -> softmax over the
// vocabulary at every position. Trained on fixed-length windows; served one step at a time by
// lstm-step.ts from the same weights.
import * as tf from '@tensorflow/tfjs';

export interface LmArchitecture {
  vocabSize: number;
  embedDim: number;
  /** Units of each LSTM layer, bottom first. */
  units: number[];
  /** Units of an optional linear projection between the last LSTM and the softmax (0 = none). */
  projection: number;
  /** Dropout applied to the embedding, between LSTM layers and before the softmax. */
  dropout: number;
}

export function buildLanguageModel(arch: LmArchitecture, seed: number): tf.LayersModel {
  if (arch.units.length === 0) throw new Error('an LSTM language model needs at least one LSTM layer');
  let s = seed;
  const init = () => tf.initializers.glorotUniform({ seed: s++ });
  const input = tf.input({ shape: [null], dtype: 'int32', name: 'tokens' });
  let x = tf.layers
    .embedding({ inputDim: arch.vocabSize, outputDim: arch.embedDim, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: s++ }), name: 'embedding' })
    .apply(input) as tf.SymbolicTensor;
  if (arch.dropout > 0) x = tf.layers.dropout({ rate: arch.dropout, seed: s++ }).apply(x) as tf.SymbolicTensor;
  arch.units.forEach((units, i) => {
    x = tf.layers
      .lstm({
        units,
        returnSequences: true,
        // Logistic gates (tfjs defaults to hardSigmoid); lstm-step.ts reads this from the config.
        recurrentActivation: 'sigmoid',
        kernelInitializer: init(),
        recurrentInitializer: tf.initializers.orthogonal({ seed: s++ }),
        unitForgetBias: true,
        name: `lstm_${i}`,
      })
      .apply(x) as tf.SymbolicTensor;
    if (arch.dropout > 0) x = tf.layers.dropout({ rate: arch.dropout, seed: s++ }).apply(x) as tf.SymbolicTensor;
  });
  if (arch.projection > 0) {
    x = tf.layers.dense({ units: arch.projection, kernelInitializer: init(), name: 'projection' }).apply(x) as tf.SymbolicTensor;
  }
  const probs = tf.layers.dense({ units: arch.vocabSize, activation: 'softmax', kernelInitializer: init(), name: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: 'lstm_lm' });
}

export function compileLanguageModel(model: tf.LayersModel, learningRate: number): void {
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'sparseCategoricalCrossentropy' });
}
