// Draws 28×28 grayscale digits (bytes 0..255, white ink on black) onto canvases, scaled up with
// crisp pixels, singly or as a strip.

export const DIGIT_SIDE = 28;

/** Decodes the base64 784-byte digits baked into the build. */
export function base64Digit(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Row-major bytes from the API's 28 rows of 28 numbers. */
export function flattenDigit(rows: readonly (readonly number[])[]): Uint8Array {
  const out = new Uint8Array(DIGIT_SIDE * DIGIT_SIDE);
  rows.forEach((row, r) => row.forEach((v, c) => (out[r * DIGIT_SIDE + c] = v)));
  return out;
}

export function digitRows(pixels: ArrayLike<number>): number[][] {
  return Array.from({ length: DIGIT_SIDE }, (_, r) => Array.from({ length: DIGIT_SIDE }, (_, c) => pixels[r * DIGIT_SIDE + c] ?? 0));
}

/** Draws digits side by side, each `size` CSS pixels square. */
export function drawDigits(canvas: HTMLCanvasElement, digits: readonly ArrayLike<number>[], size: number): void {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(digits.length * size * dpr);
  canvas.height = Math.round(size * dpr);
  canvas.style.width = `${digits.length * size}px`;
  canvas.style.height = `${size}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.imageSmoothingEnabled = false;
  const tile = document.createElement('canvas');
  tile.width = DIGIT_SIDE;
  tile.height = DIGIT_SIDE;
  const tctx = tile.getContext('2d')!;
  const img = tctx.createImageData(DIGIT_SIDE, DIGIT_SIDE);
  digits.forEach((pixels, k) => {
    for (let i = 0; i < DIGIT_SIDE * DIGIT_SIDE; i++) {
      const v = pixels[i] ?? 0;
      img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
      img.data[i * 4 + 3] = 255;
    }
    tctx.putImageData(img, 0, 0);
    ctx.drawImage(tile, Math.round(k * size * dpr), 0, Math.round(size * dpr), Math.round(size * dpr));
  });
}
