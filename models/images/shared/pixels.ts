// Conversions between the shapes images take: byte arrays, nested number arrays, [0,1] floats.
import * as tf from '@tensorflow/tfjs';

/** Floats in [0, 1] (clamped) to bytes. */
export function unitToBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, values[i]!)) * 255);
  return out;
}

export function bytesToMatrix(pixels: ArrayLike<number>, width: number, height: number): number[][] {
  return Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => pixels[r * width + c]!));
}

/** A [n, h, w, 1] (or [n, h, w]) tensor of [0,1] values to one byte array per image. */
export async function tensorToByteImages(t: tf.Tensor): Promise<Uint8Array[]> {
  const [n] = t.shape;
  const px = t.size / n!;
  const data = await t.data();
  return Array.from({ length: n! }, (_, i) => unitToBytes(data.subarray(i * px, (i + 1) * px)));
}

/** Byte images (each h*w) to a [n, h, w, 1] tensor in [0, 1]. */
export function byteImagesToTensor(images: readonly Uint8Array[], height: number, width: number): tf.Tensor4D {
  const px = height * width;
  const out = new Float32Array(images.length * px);
  images.forEach((img, i) => {
    if (img.length !== px) throw new Error(`image ${i} has ${img.length} pixels, expected ${px}`);
    for (let p = 0; p < px; p++) out[i * px + p] = img[p]! / 255;
  });
  return tf.tensor4d(out, [images.length, height, width, 1]);
}
