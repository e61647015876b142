// One training step of a language model with a fused sparse softmax cross-entropy on the
// logits. tfjs's sparseCategoricalCrossentropy on softmax outputs runs some twenty passes over
// the [tokens x vocabulary] matrix (one-hot, normalise, clip and its boolean gradient masks,
// log...), which dominates word-model training on wasm; computing the loss from the logits
// (log-sum-exp minus the target logit, gradient softmax - one-hot) takes a handful. The model
// keeps its softmax output for inference: the step reads the last dense layer's input and
// weights, and updates the same variables with the model's own optimizer, so checkpoints made
// with model.fit and with this step are interchangeable.
import * as tf from '@tensorflow/tfjs';

/** Mean over rows of -log softmax(logits)[label], with the gradient softmax - one-hot. */
export function sparseSoftmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const [n, v] = logits.shape;
  const lossFn = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const max = tf.max(x, 1, true); // [n, 1]
    const e = tf.exp(tf.sub(x, max));
    // Row sums as a matrix product: the wasm Sum kernel is far slower than XNNPACK here.
    const total = tf.matMul(e, tf.ones([v, 1]));
    const probs = tf.div(e, total);
    const rows = tf.range(0, n, 1, 'int32').mul(tf.scalar(v, 'int32'));
    const picked = tf.gather(x.reshape([-1]), rows.add(labels)).reshape([n, 1]);
    save([probs]);
    // -log p[label] = max + log(total) - x[label]
    return {
      value: tf.mean(tf.sub(tf.add(max, tf.log(total)), picked)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const target = tf.oneHot(labels, v, 1, 0, 'float32');
        return tf.mul(tf.sub(saved[0]!, target), tf.div(dy, n));
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return lossFn(logits) as tf.Scalar;
}

export interface TrainStep {
  /** One update on a batch: x [batch, seq] int32 ids, y [batch * seq] int32 next ids. Resolves to the loss (read with data(), so it runs on webgpu too). */
  (x: tf.Tensor2D, y: tf.Tensor1D): Promise<number>;
}

/** A training step for a compiled model built by buildLanguageModel (its optimizer is used). */
export function makeTrainStep(model: tf.LayersModel, clipNorm = 5): TrainStep {
  const optimizer = model.optimizer;
  if (!optimizer) throw new Error('compile the model first: the training step uses its optimizer');
  const dense = [...model.layers].reverse().find((l) => l.getClassName() === 'Dense');
  if (!dense) throw new Error('the model has no dense output layer');
  const trunk = tf.model({ inputs: model.inputs, outputs: dense.input as tf.SymbolicTensor });
  const [kernel, bias] = dense.trainableWeights.map((w) => w.read() as tf.Variable) as [tf.Variable, tf.Variable];
  const hidden = kernel.shape[0]!;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return async (x, y) => {
    const cost = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const h = (trunk.apply(x, { training: true }) as tf.Tensor).reshape([-1, hidden]) as tf.Tensor2D;
        const logits = tf.add(tf.matMul(h, kernel), bias) as tf.Tensor2D;
        return sparseSoftmaxCrossEntropy(logits, y);
      }, vars);
      optimizer.applyGradients(clipByGlobalNorm(grads, clipNorm));
      return value;
    });
    try {
      return (await cost.data())[0]!;
    } finally {
      cost.dispose();
    }
  };
}

/** Scales all gradients down together when their global L2 norm exceeds `maxNorm`. */
function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!)))));
  const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
  return Object.fromEntries(names.map((n) => [n, tf.mul(grads[n]!, scale)]));
}
