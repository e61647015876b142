// A progress bar on stderr (stdout stays clean for the final JSON line). On a terminal it
// redraws one line; elsewhere (CI, pipes) it prints a line at most every few seconds.

export interface ProgressOptions {
  total: number;
  label?: string;
  /** Unit of a step, for the rate: "samples", "windows"… */
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Minimum time between non-TTY lines. */
  intervalMs?: number;
}

export class ProgressBar {
  private done = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
  }

  /** Advances by `n` steps; `info` holds figures to show (loss, accuracy…). */
  tick(n: number, info: Record<string, number | string> = {}): void {
    this.done = Math.min(this.opts.total, this.done + n);
    const now = performance.now();
    const finished = this.done >= this.opts.total;
    const interval = this.tty ? 100 : (this.opts.intervalMs ?? 5000);
    if (!finished && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    this.draw(info, finished);
  }

  private draw(info: Record<string, number | string>, finished: boolean): void {
    const { total, label = '', unit = 'it' } = this.opts;
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = this.done / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (total - this.done) / rate : Infinity;
    const frac = total > 0 ? this.done / total : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const figures = Object.entries(info)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
      .join('  ');
    const line = `${label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${this.done}/${total}  ${formatNumber(rate)} ${unit}/s  ${
      finished ? `${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`
    }${figures ? '  ' + figures : ''}`;
    if (this.tty) this.stream.write(`\r\x1b[K${line}${finished ? '\n' : ''}`);
    else this.stream.write(line + '\n');
  }
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 0.01 || a === 0) return v.toFixed(3);
  return v.toExponential(2);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
