// The activity classifier as the rest of the platform sees it (server, eval, replay): windows of
// raw tri-axial samples in g in, class probabilities out. Preprocessing lives here (via
// features.ts) so that callers never need to know what the network was fed.
import * as tf from '@tensorflow/tfjs';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import { loadModel, modelDir, type ModelMetadata } from '../store/model-store.js';
import { checkFeatures, HAR_FEATURES, harFeatures, type FeatureChannel } from './features.js';
import { buildHarModel, HAR_HOP, HAR_RATE_HZ, HAR_WINDOW } from './model.js';

export { ModelNotFoundError } from '../store/model-store.js';

/** The name of the committed model under models/trained/. */
export const HAR_MODEL_NAME = 'har';

export class HarClassifier {
  private disposed = false;

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
    if (classes.join(',') !== ACTIVITIES.join(',')) problems.push(`classes [${classes.join(', ')}] are not [${ACTIVITIES.join(', ')}]`);
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
    return new HarClassifier(model, ACTIVITIES, input.shape?.[0] ?? HAR_WINDOW, input.hop ?? HAR_HOP, input.rateHz ?? HAR_RATE_HZ, features, metadata);
  }

  /** Wraps a model being trained (validation during training); takes ownership of it. */
  static fromModel(model: tf.LayersModel, features: readonly FeatureChannel[] = HAR_FEATURES): HarClassifier {
    return new HarClassifier(model, ACTIVITIES, HAR_WINDOW, HAR_HOP, HAR_RATE_HZ, features);
  }

  /** An untrained model with the same architecture (tests, benchmarks). */
  static untrained(seed = 1): HarClassifier {
    return new HarClassifier(buildHarModel({ seed }), ACTIVITIES, HAR_WINDOW, HAR_HOP, HAR_RATE_HZ, HAR_FEATURES);
  }

  /**
   * windows: n windows of windowSize samples, interleaved [x,y,z] per sample, in g (gravity
   * included, any phone orientation). Returns n*classes probabilities, row-major. Synchronous;
   * leaks no tensors.
   */
  predict(windows: Float32Array, n: number): Float32Array {
    if (this.disposed) throw new Error('HarClassifier.predict called after dispose()');
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`window count must be a whole number >= 0 (got ${n})`);
    const expected = n * this.windowSize * 3;
    if (windows.length !== expected) {
      throw new RangeError(`expected ${n} windows x ${this.windowSize} samples x 3 axes = ${expected} values, got ${windows.length}`);
    }
    if (n === 0) return new Float32Array(0);
    const probs = tf.tidy(() => {
      const x = tf.tensor3d(windows, [n, this.windowSize, 3]);
      return (this.model.predict(harFeatures(x, this.features)) as tf.Tensor).dataSync();
    });
    return new Float32Array(probs); // a copy we own, independent of backend memory
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
