// Draws a number matrix as an image: grayscale for non-negative values (black = 0, white = max),
// a blue–white–red diverging scale for signed ones, and the numbers themselves when cells are
// big enough to read.

export interface MatrixViewOptions {
  /** Largest canvas side in CSS pixels. */
  maxSize?: number;
  /** Show values in cells (when they fit). Default true. */
  numbers?: boolean;
  /** Fixed value range; default from the data. */
  range?: { min: number; max: number };
}

export function drawMatrix(canvas: HTMLCanvasElement, m: readonly (readonly number[])[], opts: MatrixViewOptions = {}): void {
  const rows = m.length;
  const cols = rows > 0 ? m[0]!.length : 0;
  const maxSize = opts.maxSize ?? 240;
  const cell = Math.max(1, Math.floor(maxSize / Math.max(rows, cols, 1)));
  const dpr = window.devicePixelRatio || 1;
  canvas.width = cols * cell * dpr;
  canvas.height = rows * cell * dpr;
  canvas.style.width = `${cols * cell}px`;
  canvas.style.height = `${rows * cell}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx || rows === 0) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  let min = Infinity;
  let max = -Infinity;
  for (const row of m) {
    for (const v of row) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (opts.range) ({ min, max } = opts.range);
  const signed = min < 0;
  const scale = signed ? Math.max(Math.abs(min), Math.abs(max)) || 1 : max || 1;
  const showNumbers = (opts.numbers ?? true) && cell >= 22;
  ctx.font = `${Math.min(14, Math.floor(cell / 2.4))}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = m[r]![c]!;
      const [red, green, blue] = signed ? diverging(v / scale) : gray((v - Math.min(0, min)) / scale);
      ctx.fillStyle = `rgb(${red},${green},${blue})`;
      ctx.fillRect(c * cell, r * cell, cell, cell);
      if (showNumbers) {
        // Dark text on light cells, white on dark ones.
        const lum = 0.2126 * red + 0.7152 * green + 0.0722 * blue;
        ctx.fillStyle = lum > 140 ? '#111111' : '#ffffff';
        ctx.fillText(formatCell(v), c * cell + cell / 2, r * cell + cell / 2);
      }
    }
  }
  if (showNumbers) {
    ctx.strokeStyle = 'rgba(128,128,128,0.6)';
    ctx.lineWidth = 1;
    for (let r = 0; r <= rows; r++) ctx.strokeRect(0, r * cell, cols * cell, 0);
    for (let c = 0; c <= cols; c++) ctx.strokeRect(c * cell, 0, 0, rows * cell);
  }
}

function gray(t: number): [number, number, number] {
  const v = Math.round(Math.min(1, Math.max(0, t)) * 255);
  return [v, v, v];
}

/** -1 blue, 0 white, +1 red. */
function diverging(t: number): [number, number, number] {
  const a = Math.min(1, Math.abs(t));
  return t < 0 ? [Math.round(255 - a * 222), Math.round(255 - a * 153), Math.round(255 - a * 75)] : [Math.round(255 - a * 75), Math.round(255 - a * 213), Math.round(255 - a * 217)];
}

function formatCell(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1);
}

/** Row-major values to a matrix. */
export function toMatrix(values: ArrayLike<number>, width: number, height: number): number[][] {
  return Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => values[r * width + c] ?? 0));
}
