// Convolution playground: pick an input and a kernel (named or edited cell by cell), stride,
// padding, mode and pooling, and see the input, the filtered output and the pooled output.
// The arithmetic is the project's own models/images/convolution code (plain TypeScript, no
// tensors) run in the browser, so every change shows at once with no round trip.
import { convolve2d } from '../../../../models/images/convolution/convolve.js';
import { WORKED_EXAMPLES } from '../../../../models/images/convolution/examples.js';
import { KERNELS } from '../../../../models/images/convolution/kernels.js';
import type { Matrix } from '../../../../models/images/convolution/matrix.js';
import { pool2d } from '../../../../models/images/convolution/pool.js';
import { drawMatrix } from '../../charts/matrix-view.js';
import { errorMessage, h, requireElement, showNotice } from '../../shared/dom.js';

const DRAWING = 'drawing';
const CUSTOM = 'custom';

export class ConvPlayground {
  private readonly inputSelect: HTMLSelectElement;
  private readonly kernelSelect: HTMLSelectElement;
  private readonly sizeSelect: HTMLSelectElement;
  private readonly modeSelect: HTMLSelectElement;
  private readonly stride: HTMLInputElement;
  private readonly padding: HTMLInputElement;
  private readonly divisor: HTMLInputElement;
  private readonly poolSelect: HTMLSelectElement;
  private readonly grid: HTMLElement;
  private readonly description: HTMLElement;
  private readonly shapes: HTMLElement;
  private readonly error: HTMLElement;
  private readonly inputCanvas: HTMLCanvasElement;
  private readonly outputCanvas: HTMLCanvasElement;
  private readonly pooledCanvas: HTMLCanvasElement;
  private cells: HTMLInputElement[] = [];
  private pending = 0;

  constructor(
    root: HTMLElement,
    /** The drawn digit as 28×28 bytes (0-255), or undefined before anything was drawn. */
    private readonly drawing: () => Matrix | undefined,
  ) {
    const q = <T extends HTMLElement>(sel: string) => requireElement<T>(sel, root);
    this.inputSelect = q('#conv-input');
    this.kernelSelect = q('#conv-kernel');
    this.sizeSelect = q('#conv-size');
    this.modeSelect = q('#conv-mode');
    this.stride = q('#conv-stride');
    this.padding = q('#conv-padding');
    this.divisor = q('#conv-divisor');
    this.poolSelect = q('#conv-pool');
    this.grid = q('#kernel-grid');
    this.description = q('#conv-description');
    this.shapes = q('#conv-shapes');
    this.error = q('#conv-error');
    this.inputCanvas = q('#conv-input-view');
    this.outputCanvas = q('#conv-output-view');
    this.pooledCanvas = q('#conv-pooled-view');

    this.inputSelect.append(h('option', { value: DRAWING, textContent: 'your drawing (28×28)' }), ...WORKED_EXAMPLES.map((ex) => h('option', { value: ex.name, textContent: `example: ${ex.name}` })));
    this.kernelSelect.append(...Object.values(KERNELS).map((k) => h('option', { value: k.name, textContent: k.name })), h('option', { value: CUSTOM, textContent: 'custom (edit the cells)' }));
    this.kernelSelect.value = 'sobel-x';
    this.loadNamedKernel();

    this.kernelSelect.addEventListener('change', () => {
      if (this.kernelSelect.value !== CUSTOM) this.loadNamedKernel();
      this.schedule();
    });
    this.inputSelect.addEventListener('change', () => this.onInputChange());
    this.sizeSelect.addEventListener('change', () => {
      this.kernelSelect.value = CUSTOM;
      const n = Number(this.sizeSelect.value);
      this.buildGrid(identityKernel(n), 1);
      this.schedule();
    });
    for (const control of [this.modeSelect, this.stride, this.padding, this.divisor, this.poolSelect]) {
      control.addEventListener('input', () => this.schedule());
    }
  }

  /** Recompute (e.g. after a new drawing); coalesced to one run per frame. */
  schedule(): void {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.run();
    });
  }

  private onInputChange(): void {
    const ex = WORKED_EXAMPLES.find((e) => e.name === this.inputSelect.value);
    if (ex) {
      // A worked example brings its own kernel and geometry, so its hand-worked numbers show up.
      this.kernelSelect.value = CUSTOM;
      this.buildGrid(ex.kernel, 1);
      this.stride.value = String(ex.stride);
      this.padding.value = String(ex.padding);
      this.poolSelect.value = 'none';
      this.description.textContent = ex.description;
    } else {
      const k = KERNELS[this.kernelSelect.value];
      this.description.textContent = k ? `${k.name}: ${k.description}` : 'custom kernel';
    }
    this.schedule();
  }

  private loadNamedKernel(): void {
    const k = KERNELS[this.kernelSelect.value];
    if (!k) return;
    this.buildGrid(k.weights, k.divisor ?? 1);
    this.description.textContent = `${k.name}: ${k.description}`;
  }

  private buildGrid(weights: Matrix, divisor: number): void {
    const n = weights.length;
    this.sizeSelect.value = String(n);
    this.divisor.value = String(divisor);
    this.grid.style.gridTemplateColumns = `repeat(${weights[0]!.length}, 4.2rem)`;
    this.cells = [];
    const inputs: HTMLElement[] = [];
    weights.forEach((row, r) =>
      row.forEach((w, c) => {
        const input = h('input', {
          type: 'number',
          step: 'any',
          value: String(w),
          'aria-label': `kernel row ${r + 1}, column ${c + 1}`,
          'data-row': r,
          'data-col': c,
        });
        input.addEventListener('input', () => {
          this.kernelSelect.value = CUSTOM;
          this.description.textContent = 'custom kernel';
          this.schedule();
        });
        this.cells.push(input);
        inputs.push(input);
      }),
    );
    this.grid.replaceChildren(...inputs);
  }

  private kernel(): Matrix {
    const cols = Number(this.grid.style.gridTemplateColumns.match(/repeat\((\d+)/)?.[1] ?? 3);
    const rows = this.cells.length / cols;
    return Array.from({ length: rows }, (_, r) =>
      Array.from({ length: cols }, (_, c) => {
        const raw = this.cells[r * cols + c]!.value.trim();
        const v = Number(raw);
        if (raw === '' || !Number.isFinite(v)) throw new Error(`kernel row ${r + 1}, column ${c + 1} is not a number`);
        return v;
      }),
    );
  }

  private input(): Matrix {
    const ex = WORKED_EXAMPLES.find((e) => e.name === this.inputSelect.value);
    if (ex) return ex.image;
    return this.drawing() ?? Array.from({ length: 28 }, () => new Array<number>(28).fill(0));
  }

  private run(): void {
    const image = this.input();
    drawMatrix(this.inputCanvas, image, { maxSize: 224 });
    try {
      const kernel = this.kernel();
      const conv = convolve2d(image, kernel, {
        stride: Number(this.stride.value),
        padding: Number(this.padding.value),
        divisor: Number(this.divisor.value),
        mode: this.modeSelect.value === 'convolution' ? 'convolution' : 'correlation',
      });
      drawMatrix(this.outputCanvas, conv, { maxSize: 224 });
      const pool = this.poolSelect.value;
      let pooled: Matrix | undefined;
      if (pool !== 'none') {
        pooled = pool2d(conv, { mode: pool === 'max' ? 'max' : 'avg', size: 2 });
        drawMatrix(this.pooledCanvas, pooled, { maxSize: 224 });
      }
      this.pooledCanvas.closest('figure')!.classList.toggle('hidden', !pooled);
      const dims = (m: Matrix) => `${m.length}×${m[0]!.length}`;
      this.shapes.textContent =
        `input ${dims(image)} → ${kernel.length}×${kernel[0]!.length} kernel, stride ${this.stride.value}, padding ${this.padding.value} → output ${dims(conv)}` +
        (pooled ? ` → ${pool} pool 2×2 → ${dims(pooled)}` : '');
      this.outputCanvas.setAttribute('aria-label', `Filtered output, ${dims(conv)}; top-left value ${conv[0]![0]}`);
      showNotice(this.error, '');
    } catch (err) {
      // Size errors explain themselves ((n + 2p - k)/s + 1 must be whole): show them as they are.
      showNotice(this.error, errorMessage(err), 'error');
    }
  }
}

function identityKernel(n: number): Matrix {
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => (r === (n - 1) / 2 && c === (n - 1) / 2 ? 1 : 0)));
}
