// Digits (784 bytes each) in and out of the models' [n, 28, 28, 1] tensors in [0, 1].
import type * as tf from '@tensorflow/tfjs';
import { byteImagesToTensor, tensorToByteImages } from '../../models/images/shared/pixels.js';

export function digitsToTensor(digits: readonly Uint8Array[]): tf.Tensor4D {
  return byteImagesToTensor(digits, 28, 28);
}

/** Reads and disposes `t`. */
export async function tensorToDigits(t: tf.Tensor): Promise<Uint8Array[]> {
  try {
    return await tensorToByteImages(t);
  } finally {
    t.dispose();
  }
}
