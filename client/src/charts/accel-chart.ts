// Live accelerometer chart: x, y, z and |a| over the last few seconds. Chart.js with parsing and
// animation off; the point objects are allocated once and rewritten in place on every redraw,
// and long windows are decimated to at most `maxPoints` points per line.
import type { Chart as ChartType } from 'chart.js';
import { AXIS_COLORS } from '../shared/activity-colors.js';
import { setupCharts } from './setup.js';
import type { SignalRing } from './signal-ring.js';

interface Point {
  x: number;
  y: number;
}

export interface AccelChartOptions {
  windowSeconds?: number;
  maxPoints?: number;
  /** Unit shown on the y axis (the dashboard's signal is in g). */
  unit?: string;
}

export class AccelChart {
  private readonly chart: ChartType<'line', Point[]>;
  private readonly lines: Point[][];
  private readonly windowSeconds: number;
  private readonly maxPoints: number;
  /** Number of redraws, exposed for tests and the debug overlay. */
  renders = 0;

  constructor(canvas: HTMLCanvasElement, options: AccelChartOptions = {}) {
    const Chart = setupCharts();
    this.windowSeconds = options.windowSeconds ?? 10;
    this.maxPoints = options.maxPoints ?? 300;
    const unit = options.unit ?? 'g';
    this.lines = [0, 1, 2, 3].map(() => Array.from({ length: this.maxPoints }, () => ({ x: -this.windowSeconds, y: NaN })));
    const dataset = (label: string, color: string, data: Point[], width: number) => ({
      label,
      data,
      borderColor: color,
      backgroundColor: color,
      borderWidth: width,
      pointRadius: 0,
      tension: 0,
    });
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          dataset('x', AXIS_COLORS.x, this.lines[0]!, 1.5),
          dataset('y', AXIS_COLORS.y, this.lines[1]!, 1.5),
          dataset('z', AXIS_COLORS.z, this.lines[2]!, 1.5),
          dataset('|a|', AXIS_COLORS.magnitude, this.lines[3]!, 2),
        ],
      },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        spanGaps: false,
        responsive: true,
        maintainAspectRatio: false,
        events: [], // no hover work on every redraw
        plugins: { legend: { position: 'top', labels: { boxWidth: 14 } }, tooltip: { enabled: false } },
        scales: {
          x: {
            type: 'linear',
            min: -this.windowSeconds,
            max: 0,
            title: { display: true, text: 'seconds (0 = newest sample)' },
            ticks: { minRotation: 0, maxRotation: 0 },
          },
          y: { type: 'linear', suggestedMin: -1.5, suggestedMax: 1.5, title: { display: true, text: unit } },
        },
      },
    });
  }

  /** Redraws from the ring buffer (call from a FrameScheduler frame). */
  render(ring: SignalRing): void {
    const [xs, ys, zs, ms] = this.lines as [Point[], Point[], Point[], Point[]];
    const last = ring.lastTime;
    const windowMs = this.windowSeconds * 1000;
    // Oldest sample inside the window.
    let first = ring.size;
    for (let i = ring.size - 1; i >= 0 && last - ring.t[ring.index(i)]! <= windowMs; i--) first = i;
    const available = ring.size - first;
    const stride = Math.max(1, Math.ceil(available / this.maxPoints));
    const used = Math.floor(available / stride);
    const unused = this.maxPoints - used;
    // Unused points sit at the left edge with NaN values: sorted x, nothing drawn.
    for (let p = 0; p < unused; p++) {
      for (const line of this.lines) {
        line[p]!.x = -this.windowSeconds;
        line[p]!.y = NaN;
      }
    }
    // Newest sample is always drawn: step back from the end.
    for (let k = 0; k < used; k++) {
      const i = ring.index(ring.size - 1 - (used - 1 - k) * stride);
      const x = ring.x[i]!;
      const y = ring.y[i]!;
      const z = ring.z[i]!;
      const sec = (ring.t[i]! - last) / 1000;
      const p = unused + k;
      xs[p]!.x = ys[p]!.x = zs[p]!.x = ms[p]!.x = sec;
      xs[p]!.y = x;
      ys[p]!.y = y;
      zs[p]!.y = z;
      ms[p]!.y = Math.sqrt(x * x + y * y + z * z);
    }
    this.chart.update('none');
    this.renders++;
  }

  /** Blank chart (no device selected / device gone). */
  clear(): void {
    for (const line of this.lines) {
      for (const point of line) {
        point.x = -this.windowSeconds;
        point.y = NaN;
      }
    }
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
