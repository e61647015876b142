// Turns a drawing into an MNIST-like 28×28 image: crop to the ink, scale the longer side to
// 20 px (keeping the aspect ratio), and centre the ink's centre of mass in the 28×28 frame —
// the normalisation MNIST digits went through, so a drawn digit looks like the training data.

export const MNIST_SIZE = 28;
const DIGIT_BOX = 20;

/** Grayscale 0..1 of a canvas (red channel: the pad draws white on black). */
export function canvasGray(canvas: HTMLCanvasElement): { data: Float32Array; width: number; height: number } {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('2-D canvas is not available');
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const out = new Float32Array(canvas.width * canvas.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * 4]! / 255;
  return { data: out, width: canvas.width, height: canvas.height };
}

/** 28×28 row-major values in 0..1, or undefined when there is no ink. */
export function toMnist(gray: { data: Float32Array; width: number; height: number }, threshold = 0.1): Float32Array | undefined {
  const { data, width, height } = gray;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]! > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return undefined;
  const boxW = x1 - x0 + 1;
  const boxH = y1 - y0 + 1;
  const scale = DIGIT_BOX / Math.max(boxW, boxH);
  const outW = Math.max(1, Math.round(boxW * scale));
  const outH = Math.max(1, Math.round(boxH * scale));
  // Area-average downsampling of the ink box into outW × outH.
  const small = new Float32Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    const sy0 = y0 + (oy * boxH) / outH;
    const sy1 = y0 + ((oy + 1) * boxH) / outH;
    for (let ox = 0; ox < outW; ox++) {
      const sx0 = x0 + (ox * boxW) / outW;
      const sx1 = x0 + ((ox + 1) * boxW) / outW;
      let sum = 0;
      let n = 0;
      for (let sy = Math.floor(sy0); sy < Math.ceil(sy1); sy++) {
        for (let sx = Math.floor(sx0); sx < Math.ceil(sx1); sx++) {
          sum += data[sy * width + sx]!;
          n++;
        }
      }
      small[oy * outW + ox] = n ? sum / n : 0;
    }
  }
  // Centre of mass of the small image, placed at the frame's centre.
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = small[y * outW + x]!;
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  cx = mass > 0 ? cx / mass : outW / 2;
  cy = mass > 0 ? cy / mass : outH / 2;
  const offX = Math.round(MNIST_SIZE / 2 - cx - 0.5);
  const offY = Math.round(MNIST_SIZE / 2 - cy - 0.5);
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const tx = x + offX;
      const ty = y + offY;
      if (tx >= 0 && tx < MNIST_SIZE && ty >= 0 && ty < MNIST_SIZE) out[ty * MNIST_SIZE + tx] = Math.min(1, small[y * outW + x]!);
    }
  }
  return out;
}
