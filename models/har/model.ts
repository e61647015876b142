// The activity network: a small 1D-CNN over one window of features (see features.ts). Three
// convolution blocks widen the receptive field to about one step cycle; global average pooling
// makes the decision independent of where in the window a step falls.
import * as tf from '@tensorflow/tfjs';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import { HAR_FEATURES } from './features.js';

/** Window geometry the model is trained for (2.56 s at 50 Hz, half-overlapping). */
export const HAR_WINDOW = 128;
export const HAR_HOP = 64;
export const HAR_RATE_HZ = 50;
export const HAR_CLASSES: readonly string[] = ACTIVITIES;

export interface HarModelOptions {
  seed?: number;
  windowSize?: number;
  /** Input channels (default: HAR_FEATURES). */
  channels?: number;
  /** Output classes (default: HAR_CLASSES.length). */
  classes?: number;
}

export function buildHarModel(opts: HarModelOptions = {}): tf.LayersModel {
  const seed = opts.seed ?? 1;
  const windowSize = opts.windowSize ?? HAR_WINDOW;
  let layerIndex = 0;
  // A distinct but reproducible seed for every layer's initializer.
  const init = () => tf.initializers.heNormal({ seed: seed * 1000 + layerIndex++ });
  const model = tf.sequential({ name: 'har_cnn' });
  const conv = (filters: number, kernelSize: number, first = false) =>
    tf.layers.conv1d({
      ...(first ? { inputShape: [windowSize, opts.channels ?? HAR_FEATURES.length] } : {}),
      filters,
      kernelSize,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(),
    });
  model.add(conv(32, 7, true));
  model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  model.add(conv(64, 5));
  model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  model.add(conv(96, 5));
  model.add(tf.layers.globalAveragePooling1d());
  model.add(
    tf.layers.dense({
      units: opts.classes ?? HAR_CLASSES.length,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + layerIndex++ }),
    }),
  );
  return model;
}
