// A canvas to draw a digit on with mouse, touch or pen (pointer events): white ink on black,
// like MNIST. Keyboard users get the Clear button and can pick a sample digit instead.

export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: { x: number; y: number } | undefined;
  /** Strokes since the last clear (an empty pad is not worth classifying). */
  strokes = 0;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
    private readonly lineWidth = 22,
  ) {
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('2-D canvas is not available');
    this.ctx = ctx;
    this.clear();
    canvas.style.touchAction = 'none'; // no scrolling while drawing on phones
    canvas.addEventListener('pointerdown', this.down);
    canvas.addEventListener('pointermove', this.move);
    canvas.addEventListener('pointerup', this.up);
    canvas.addEventListener('pointercancel', this.up);
  }

  clear(): void {
    this.ctx.fillStyle = '#000000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.strokes = 0;
  }

  /** Draws a grayscale image (0..1, row-major, w×h) scaled to fill the pad. */
  drawImage(pixels: ArrayLike<number>, w: number, h: number): void {
    const small = new ImageData(w, h);
    for (let i = 0; i < w * h; i++) {
      const v = Math.round(Math.min(1, Math.max(0, pixels[i] ?? 0)) * 255);
      small.data.set([v, v, v, 255], i * 4);
    }
    const tmp = document.createElement('canvas');
    tmp.width = w;
    tmp.height = h;
    tmp.getContext('2d')!.putImageData(small, 0, 0);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(tmp, 0, 0, this.canvas.width, this.canvas.height);
    this.strokes = 1;
  }

  private point(event: PointerEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * this.canvas.width,
      y: ((event.clientY - rect.top) / rect.height) * this.canvas.height,
    };
  }

  private readonly down = (event: PointerEvent): void => {
    event.preventDefault();
    this.canvas.setPointerCapture(event.pointerId);
    this.drawing = true;
    this.last = this.point(event);
    this.stroke(this.last, this.last);
  };

  private readonly move = (event: PointerEvent): void => {
    if (!this.drawing || !this.last) return;
    const p = this.point(event);
    this.stroke(this.last, p);
    this.last = p;
  };

  private readonly up = (): void => {
    if (!this.drawing) return;
    this.drawing = false;
    this.last = undefined;
    this.strokes++;
    this.onChange();
  };

  private stroke(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const { ctx } = this;
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = this.lineWidth;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }
}
