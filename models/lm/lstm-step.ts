// One LSTM step of a trained language model, batched over independent sequences. Built from
// the trained layers' weights so that a new token costs one step (gather the embedding, one
// fused matmul per layer for all four gates, the softmax) instead of a recompute of the whole
// context. States live in plain Float32Arrays owned by the caller, so sessions hold no tensors
// and a state can be copied, stacked and restored freely.
import * as tf from '@tensorflow/tfjs';
import { drawRows, type DrawSpec } from './sample-token.js';

interface StepLayer {
  units: number;
  /** [input + units, 4 * units]: the input kernel stacked on the recurrent kernel (gate order i, f, c, o). */
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

interface DenseWeights {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

export interface StepResult {
  /** [batch * vocabSize] next-token probabilities, row per sequence. */
  probs: Float32Array;
  /** [batch * stateSize] states after the step, row per sequence. */
  states: Float32Array;
  /**
   * [batch * featureSize] the top LSTM layer's output h, row per sequence: what a continuous
   * cache compares contexts by (on english-word it matched contexts better than the 128-d
   * projection after it: models/lm/README.md). A copy of the part of `states` that holds it.
   */
  features?: Float32Array;
  /** [batch] the token drawn for each row that asked for a draw, -1 for the others. */
  drawnIds?: Int32Array;
}

/** What runs LSTM steps for the server's step batcher: an LstmStepper here, or one in a worker thread (server/text/worker-stepper.ts). */
export interface StepModel {
  readonly vocabSize: number;
  readonly stateSize: number;
  readonly featureSize: number;
  zeroState(): Float32Array;
  /** Advances `tokens.length` sequences by one token each; rows with a draw in `draws` also get a token drawn from their probabilities (`drawnIds`). */
  step(tokens: Int32Array | readonly number[], states: Float32Array, draws?: readonly (DrawSpec | null)[]): Promise<StepResult>;
  dispose(): void;
}

export class LstmStepper implements StepModel {
  readonly vocabSize: number;
  /** Floats per sequence state: h then c of each layer, bottom layer first. */
  readonly stateSize: number;
  /** Floats per sequence in StepResult.features. */
  readonly featureSize: number;
  private disposed = false;

  private constructor(
    private readonly embedding: tf.Tensor2D,
    private readonly layers: StepLayer[],
    private readonly dense: DenseWeights[],
    private readonly gate: 'sigmoid' | 'hardSigmoid',
  ) {
    this.vocabSize = dense[dense.length - 1]!.kernel.shape[1];
    this.stateSize = layers.reduce((n, l) => n + 2 * l.units, 0);
    this.featureSize = layers[layers.length - 1]!.units;
  }

  /** Copies the weights out of a model built by buildLanguageModel (the model may be disposed after). */
  static fromModel(model: tf.LayersModel): LstmStepper {
    let embedding: tf.Tensor2D | undefined;
    const layers: StepLayer[] = [];
    const dense: DenseWeights[] = [];
    let gate: 'sigmoid' | 'hardSigmoid' | undefined;
    for (const layer of model.layers) {
      const cls = layer.getClassName();
      const w = layer.getWeights();
      if (cls === 'Embedding') {
        embedding = tf.keep(w[0]!.clone()) as tf.Tensor2D;
      } else if (cls === 'LSTM') {
        const cfg = layer.getConfig();
        const act = String(cfg.recurrentActivation);
        if (act !== 'sigmoid' && act !== 'hardSigmoid') throw new Error(`unsupported LSTM recurrent activation '${act}'`);
        if (cfg.activation !== 'tanh') throw new Error(`unsupported LSTM activation '${String(cfg.activation)}'`);
        if (gate && gate !== act) throw new Error('LSTM layers with different gate activations are not supported');
        gate = act;
        const [kernel, recurrent, bias] = w as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        layers.push({ units: Number(cfg.units), kernel: tf.keep(tf.concat([kernel, recurrent], 0)), bias: tf.keep(bias.clone()) });
      } else if (cls === 'Dense') {
        const act = String(layer.getConfig().activation);
        if (act !== 'linear' && act !== 'softmax') throw new Error(`unsupported dense activation '${act}' in a language model`);
        dense.push({ kernel: tf.keep(w[0]!.clone()) as tf.Tensor2D, bias: tf.keep(w[1]!.clone()) as tf.Tensor1D });
      } else if (cls !== 'InputLayer' && cls !== 'Dropout') {
        throw new Error(`unsupported layer ${cls} in a language model`);
      }
    }
    if (!embedding || layers.length === 0 || dense.length === 0 || !gate) {
      throw new Error('not an LSTM language model (expected embedding, LSTM layer(s), dense softmax)');
    }
    return new LstmStepper(embedding, layers, dense, gate);
  }

  zeroState(): Float32Array {
    return new Float32Array(this.stateSize);
  }

  /** Advances `tokens.length` sequences by one token each (and draws for the rows with a draw). */
  async step(tokens: Int32Array | readonly number[], states: Float32Array, draws?: readonly (DrawSpec | null)[]): Promise<StepResult> {
    if (draws && draws.length !== tokens.length) throw new Error(`${draws.length} draws for ${tokens.length} sequences`);
    const [probsT, statesT] = this.stepTensors(tokens, states);
    try {
      const [probs, next] = await Promise.all([probsT.data() as Promise<Float32Array>, statesT.data() as Promise<Float32Array>]);
      const out: StepResult = { probs, states: next, features: this.featuresOf(next, tokens.length) };
      if (draws) out.drawnIds = drawRows(probs, this.vocabSize, draws);
      return out;
    } finally {
      probsT.dispose();
      statesT.dispose();
    }
  }

  /** The top layer's h of each row of `states` (h then c per layer, so h starts at stateSize - 2 * units). */
  private featuresOf(states: Float32Array, batch: number): Float32Array {
    const F = this.featureSize;
    const S = this.stateSize;
    const out = new Float32Array(batch * F);
    for (let i = 0; i < batch; i++) out.set(states.subarray(i * S + S - 2 * F, i * S + S - F), i * F);
    return out;
  }

  private stepTensors(tokens: Int32Array | readonly number[], states: Float32Array): [tf.Tensor2D, tf.Tensor2D] {
    if (this.disposed) throw new Error('LstmStepper used after dispose()');
    const batch = tokens.length;
    if (batch === 0) throw new Error('step needs at least one sequence');
    if (states.length !== batch * this.stateSize) {
      throw new Error(`states hold ${states.length} floats; expected ${batch} x ${this.stateSize}`);
    }
    for (const t of tokens) {
      if (!Number.isInteger(t) || t < 0 || t >= this.vocabSize) throw new Error(`token id ${t} outside the vocabulary (0-${this.vocabSize - 1})`);
    }
    return tf.tidy(() => {
      const ids = tf.tensor1d(Int32Array.from(tokens), 'int32');
      const state = tf.tensor2d(states, [batch, this.stateSize]);
      let x: tf.Tensor2D = tf.gather(this.embedding, ids);
      const next: tf.Tensor2D[] = [];
      let offset = 0;
      for (const layer of this.layers) {
        const u = layer.units;
        const h = state.slice([0, offset], [batch, u]);
        const c = state.slice([0, offset + u], [batch, u]);
        const z = tf.fused.matMul({ a: tf.concat([x, h], 1), b: layer.kernel, bias: layer.bias });
        const [zi, zf, zg, zo] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const c2 = tf.add(tf.mul(this.gateFn(zf), c), tf.mul(this.gateFn(zi), tf.tanh(zg)));
        const h2 = tf.mul(this.gateFn(zo), tf.tanh(c2)) as tf.Tensor2D;
        next.push(h2, c2 as tf.Tensor2D);
        x = h2;
        offset += 2 * u;
      }
      for (let i = 0; i < this.dense.length; i++) {
        const d = this.dense[i]!;
        x = tf.fused.matMul({ a: x, b: d.kernel, bias: d.bias }) as tf.Tensor2D;
      }
      return [tf.softmax(x), tf.concat(next, 1)];
    });
  }

  private gateFn(z: tf.Tensor2D): tf.Tensor2D {
    if (this.gate === 'sigmoid') return tf.sigmoid(z);
    // Keras hard sigmoid: clip(0.2 x + 0.5, 0, 1).
    return tf.clipByValue(tf.add(tf.mul(z, 0.2), 0.5), 0, 1);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.embedding, ...this.layers.flatMap((l) => [l.kernel, l.bias]), ...this.dense.flatMap((d) => [d.kernel, d.bias])]);
  }
}

/** Row `i` of a batched [batch * width] array (a view, not a copy). */
export function row(data: Float32Array, i: number, width: number): Float32Array {
  return data.subarray(i * width, (i + 1) * width);
}
