// Coalesces redraws into one requestAnimationFrame: messages may arrive hundreds of times a
// second (several devices at 50 Hz), but each view redraws at most once per frame.

export class FrameScheduler {
  private readonly pending = new Set<() => void>();
  private frame = 0;

  /** Runs `render` on the next animation frame (once, however often it is requested). */
  request(render: () => void): void {
    this.pending.add(render);
    if (this.frame === 0) this.frame = requestAnimationFrame(this.flush);
  }

  private readonly flush = (): void => {
    this.frame = 0;
    // Copy first: a render may request another frame.
    const renders = [...this.pending];
    this.pending.clear();
    for (const render of renders) render();
  };
}
