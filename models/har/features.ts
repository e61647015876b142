// What the network sees, channel by channel, computed from the raw tri-axial window in g:
//   x, y, z     the raw axes: they keep gravity's direction relative to the phone, which is what
//               separates sitting, standing and lying;
//   |a|-1       the magnitude (minus 1 g): free of orientation, so motion reads the same however
//               the phone is held;
//   vertical    the motion (deviation from the window mean) along gravity, estimated as the
//               window mean's direction;
//   horizontal  the size of the motion across gravity;
//   pocket, waist  where the phone is carried, as the device said (1 or 0, constant over the
//               window; both 0 for hand, bag and unknown): the same gravity direction means
//               sitting in a pocket (thigh horizontal) and standing on a belt, so the network
//               needs to know which it is, and must also cope without.
// |a|-1, vertical and horizontal do not change when the phone is turned. Training and inference share this one
// function, and the model's metadata lists its channels, so the two can never disagree.
import * as tf from '@tensorflow/tfjs';

import type { Placement } from '../../protocol/sensor-messages.js';

export const FEATURE_CHANNELS = ['x', 'y', 'z', '|a|-1', 'vertical', 'horizontal', 'pocket', 'waist'] as const;
export type FeatureChannel = (typeof FEATURE_CHANNELS)[number];

/** The channels of newly trained models. */
export const HAR_FEATURES: readonly FeatureChannel[] = ['x', 'y', 'z', '|a|-1', 'vertical', 'horizontal', 'pocket', 'waist'];

/** The placements the network is told about (one channel each); the others read as unknown. */
export const PLACEMENT_CHANNELS = ['pocket', 'waist'] as const satisfies readonly (FeatureChannel & Placement)[];

/** Placement code per window: index into PLACEMENT_CHANNELS, or -1 (hand, bag, unknown). */
export function placementCode(p: Placement | undefined): number {
  return (PLACEMENT_CHANNELS as readonly string[]).indexOf(p ?? 'unknown');
}

/** Whether a model with these channels reads the placement at all. */
export function usesPlacement(channels: readonly FeatureChannel[]): boolean {
  return channels.some((c) => (PLACEMENT_CHANNELS as readonly string[]).includes(c));
}

export function checkFeatures(names: readonly string[]): FeatureChannel[] {
  const bad = names.filter((n) => !(FEATURE_CHANNELS as readonly string[]).includes(n));
  if (bad.length || names.length === 0) throw new Error(`unknown feature channel(s) ${bad.join(', ')}: choose from ${FEATURE_CHANNELS.join(', ')}`);
  return names as FeatureChannel[];
}

/**
 * [n, windowSize, 3] in g -> [n, windowSize, channels.length]. `placements`: one code per window
 * (placementCode); absent = all unknown. Call inside tf.tidy.
 */
export function harFeatures(windows: tf.Tensor3D, channels: readonly FeatureChannel[] = HAR_FEATURES, placements?: ArrayLike<number>): tf.Tensor3D {
  const axes = tf.split(windows, 3, -1);
  const parts: Partial<Record<FeatureChannel, tf.Tensor>> = { x: axes[0], y: axes[1], z: axes[2] };
  const [n, size] = windows.shape;
  PLACEMENT_CHANNELS.forEach((name, k) => {
    if (!channels.includes(name)) return;
    const on = new Float32Array(n);
    if (placements) for (let i = 0; i < n; i++) on[i] = placements[i] === k ? 1 : 0;
    parts[name] = tf.tensor3d(on, [n, 1, 1]).tile([1, size, 1]);
  });
  if (channels.includes('|a|-1')) parts['|a|-1'] = tf.sqrt(tf.sum(tf.square(windows), -1, true)).sub(1);
  if (channels.includes('vertical') || channels.includes('horizontal')) {
    const mean = tf.mean(windows, 1, true); // [n, 1, 3]
    const up = mean.div(tf.norm(mean, 'euclidean', -1, true).add(1e-6));
    const motion = windows.sub(mean);
    const vertical = tf.sum(motion.mul(up), -1, true);
    parts.vertical = vertical;
    parts.horizontal = tf.sqrt(tf.relu(tf.sum(tf.square(motion), -1, true).sub(tf.square(vertical))));
  }
  return tf.concat(
    channels.map((c) => parts[c]!),
    -1,
  ) as tf.Tensor3D;
}
