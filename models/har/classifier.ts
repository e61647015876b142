// The activity classifier as the rest of the platform sees it (server, eval, replay): windows of
// raw tri-axial samples in g in, class probabilities out. Preprocessing lives here (via
// features.ts) so that callers never need to know what the network was fed.
import * as tf from '@tensorflow/tfjs';
import { ACTIVITIES, ACTIVITY_NAMES, type Placement } from '../../protocol/sensor-messages.js';
import { loadModel, modelDir, type ModelMetadata } from '../store/model-store.js';
import { checkFeatures, HAR_FEATURES, harFeatures, placementCode, usesPlacement, type FeatureChannel } from './features.js';
import { buildHarModel, HAR_HOP, HAR_RATE_HZ, HAR_WINDOW } from './model.js';
import type { HeadWeights } from './personal-head.js';

export { ModelNotFoundError } from '../store/model-store.js';

/**
 * Why a model's class list is unusable, or undefined when it is fine: any ordered subset of
 * ACTIVITY_NAMES (at least two, no repeats, canonical order) so that truths, colours and the
 * dashboard agree on names.
 */
export function checkClasses(classes: readonly string[]): string | undefined {
  const known: readonly string[] = ACTIVITY_NAMES;
  const positions = classes.map((c) => known.indexOf(c));
  const unknown = classes.filter((_, i) => positions[i]! < 0);
  if (unknown.length) return `classes [${unknown.join(', ')}] are not known activity names (${known.join(', ')})`;
  if (classes.length < 2) return `a model needs at least two classes (got [${classes.join(', ')}])`;
  if (positions.some((p, i) => i > 0 && p <= positions[i - 1]!)) return `classes [${classes.join(', ')}] are not an ordered subset of [${known.join(', ')}] (repeated or out of order)`;
  return undefined;
}

/** Where the phone is: one placement for every window, or one per window (undefined = unknown). */
export type PlacementInput = Placement | readonly (Placement | undefined)[];

/** The name of the committed model under models/trained/. */
export const HAR_MODEL_NAME = 'har';

export class HarClassifier {
  private disposed = false;
  /** The same layers with the final layer's input as a second output (predictWithFeatures). */
  private withFeatures: tf.LayersModel | undefined;

  private constructor(
    private readonly model: tf.LayersModel,
    readonly classes: readonly string[],
    readonly windowSize: number,
    readonly hop: number,
    readonly rateHz: number,
    /** The input channels the network was trained on (features.ts). */
    readonly features: readonly FeatureChannel[],
    /** Metadata of the loaded model (undefined for an untrained one). */
    readonly metadata?: ModelMetadata,
  ) {}

  /** Loads models/trained/har (or `dir`). Throws ModelNotFoundError when missing. */
  static async load(dir?: string): Promise<HarClassifier> {
    const path = dir ?? modelDir(HAR_MODEL_NAME);
    const { model, metadata } = await loadModel(path);
    const input = (metadata.input ?? {}) as { shape?: number[]; hop?: number; rateHz?: number; units?: string; features?: string[] };
    const problems: string[] = [];
    const classes = metadata.classes ?? [];
    const classProblem = checkClasses(classes);
    if (classProblem) problems.push(classProblem);
    const outputs = (model.outputs[0]?.shape ?? []).at(-1);
    if (outputs !== classes.length) problems.push(`the network has ${outputs} outputs for ${classes.length} classes`);
    if (input.units !== undefined && input.units !== 'g') problems.push(`input units '${input.units}' are not 'g'`);
    if (input.shape && input.shape[1] !== 3) problems.push(`input shape [${input.shape.join(', ')}] is not [window, 3]`);
    let features: FeatureChannel[] = [...HAR_FEATURES];
    try {
      if (input.features) features = checkFeatures(input.features);
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (problems.length) {
      model.dispose();
      throw new Error(`the HAR model in ${path} does not match this code: ${problems.join('; ')}`);
    }
    return new HarClassifier(model, [...classes], input.shape?.[0] ?? HAR_WINDOW, input.hop ?? HAR_HOP, input.rateHz ?? HAR_RATE_HZ, features, metadata);
  }

  /** Wraps a model being trained (validation during training); takes ownership of it. */
  static fromModel(model: tf.LayersModel, features: readonly FeatureChannel[] = HAR_FEATURES, classes: readonly string[] = ACTIVITIES): HarClassifier {
    return new HarClassifier(model, classes, HAR_WINDOW, HAR_HOP, HAR_RATE_HZ, features);
  }

  /** An untrained model with the same architecture (tests, benchmarks). */
  static untrained(seed = 1, classes: readonly string[] = ACTIVITIES): HarClassifier {
    return new HarClassifier(buildHarModel({ seed, classes: classes.length }), classes, HAR_WINDOW, HAR_HOP, HAR_RATE_HZ, HAR_FEATURES);
  }

  /**
   * windows: n windows of windowSize samples, interleaved [x,y,z] per sample, in g (gravity
   * included, any phone orientation). placements: where the phone is, one for all windows or one
   * per window (absent: unknown; models without placement channels ignore it). Returns
   * n*classes probabilities, row-major. Synchronous; leaks no tensors.
   */
  predict(windows: Float32Array, n: number, placements?: PlacementInput): Float32Array {
    this.checkBatch('predict', windows, n);
    if (n === 0) return new Float32Array(0);
    const probs = tf.tidy(() => this.probsTensor(windows, n, placements).dataSync());
    return new Float32Array(probs); // a copy we own, independent of backend memory
  }

  /**
   * predict without blocking: the result is read with data(), so a GPU backend (webgpu, which
   * cannot read synchronously in Node) computes while the event loop goes on. Leaks no tensors.
   */
  async predictAsync(windows: Float32Array, n: number, placements?: PlacementInput): Promise<Float32Array> {
    this.checkBatch('predict', windows, n);
    if (n === 0) return new Float32Array(0);
    const t = tf.tidy(() => this.probsTensor(windows, n, placements));
    try {
      return new Float32Array(await t.data());
    } finally {
      t.dispose();
    }
  }

  private probsTensor(windows: Float32Array, n: number, placements: PlacementInput | undefined): tf.Tensor {
    const x = tf.tensor3d(windows, [n, this.windowSize, 3]);
    return this.model.predict(harFeatures(x, this.features, this.placementCodes(placements, n))) as tf.Tensor;
  }

  /**
   * Like predict, and also the input of the final (Dense softmax) layer: the pooled features a
   * personal head is fitted on (models/har/personal-head.ts). features: n * featureSize, row-major.
   * One model call for both; leaks no tensors.
   */
  predictWithFeatures(windows: Float32Array, n: number, placements?: PlacementInput): { probs: Float32Array; features: Float32Array; featureSize: number } {
    this.checkBatch('predictWithFeatures', windows, n);
    const featureSize = (this.finalLayer().input as tf.SymbolicTensor).shape.at(-1)!;
    if (n === 0) return { probs: new Float32Array(0), features: new Float32Array(0), featureSize };
    const [features, probs] = tf.tidy(() => this.featuresAndProbs(windows, n, placements).map((t) => t.dataSync()));
    return { probs: new Float32Array(probs!), features: new Float32Array(features!), featureSize };
  }

  /** predictWithFeatures read with data() (see predictAsync). */
  async predictWithFeaturesAsync(windows: Float32Array, n: number, placements?: PlacementInput): Promise<{ probs: Float32Array; features: Float32Array; featureSize: number }> {
    this.checkBatch('predictWithFeatures', windows, n);
    const featureSize = (this.finalLayer().input as tf.SymbolicTensor).shape.at(-1)!;
    if (n === 0) return { probs: new Float32Array(0), features: new Float32Array(0), featureSize };
    const out = tf.tidy(() => this.featuresAndProbs(windows, n, placements));
    try {
      const [features, probs] = await Promise.all(out.map((t) => t.data()));
      return { probs: new Float32Array(probs!), features: new Float32Array(features!), featureSize };
    } finally {
      tf.dispose(out);
    }
  }

  private featuresAndProbs(windows: Float32Array, n: number, placements: PlacementInput | undefined): tf.Tensor[] {
    this.withFeatures ??= tf.model({ inputs: this.model.inputs, outputs: [this.finalLayer().input as tf.SymbolicTensor, this.model.outputs[0]!] });
    const x = tf.tensor3d(windows, [n, this.windowSize, 3]);
    return this.withFeatures.predict(harFeatures(x, this.features, this.placementCodes(placements, n))) as tf.Tensor[];
  }

  /** The final Dense layer's weights (copies): the shared head a personal head starts from. */
  headWeights(): HeadWeights {
    // getWeights() hands out the layer's own variables (no new tensors); dataSync copies them out.
    const [kernel, bias] = this.finalLayer().getWeights();
    if (!kernel || !bias || kernel.shape.length !== 2) throw new Error('the HAR network does not end in a Dense layer with a bias');
    return { classes: [...this.classes], featureSize: kernel.shape[0]!, kernel: Float32Array.from(kernel.dataSync()), bias: Float32Array.from(bias.dataSync()) };
  }

  /** headWeights read with data() (see predictAsync). */
  async headWeightsAsync(): Promise<HeadWeights> {
    const [kernel, bias] = this.finalLayer().getWeights();
    if (!kernel || !bias || kernel.shape.length !== 2) throw new Error('the HAR network does not end in a Dense layer with a bias');
    return { classes: [...this.classes], featureSize: kernel.shape[0]!, kernel: Float32Array.from(await kernel.data()), bias: Float32Array.from(await bias.data()) };
  }

  private finalLayer(): tf.layers.Layer {
    const last = this.model.layers[this.model.layers.length - 1];
    if (!last || last.getClassName() !== 'Dense') throw new Error(`the HAR network must end in a Dense layer (it ends in ${last?.getClassName() ?? 'nothing'})`);
    return last;
  }

  private checkBatch(what: string, windows: Float32Array, n: number): void {
    if (this.disposed) throw new Error(`HarClassifier.${what} called after dispose()`);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`window count must be a whole number >= 0 (got ${n})`);
    const expected = n * this.windowSize * 3;
    if (windows.length !== expected) {
      throw new RangeError(`expected ${n} windows x ${this.windowSize} samples x 3 axes = ${expected} values, got ${windows.length}`);
    }
  }

  /** Whether the network reads the placement (its metadata lists placement channels). */
  get usesPlacement(): boolean {
    return usesPlacement(this.features);
  }

  /** Placement codes per window for harFeatures (undefined: all unknown, or not used). */
  private placementCodes(placements: PlacementInput | undefined, n: number): Int8Array | undefined {
    if (placements === undefined || !this.usesPlacement) return undefined;
    if (typeof placements === 'string') return new Int8Array(n).fill(placementCode(placements));
    if (placements.length !== n) throw new RangeError(`expected one placement per window (${n}), got ${placements.length}`);
    return Int8Array.from(placements, (p) => placementCode(p));
  }

  /** The underlying tfjs model (training, evaluation internals). */
  get layersModel(): tf.LayersModel {
    return this.model;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}
