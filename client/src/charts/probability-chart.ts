// Horizontal bars of class probabilities. The data array is rewritten in place; the canvas
// carries a text summary (aria-label) so screen readers get the numbers too.
import type { Chart as ChartType } from 'chart.js';
import { classColor } from '../shared/activity-colors.js';
import { setupCharts } from './setup.js';

export class ProbabilityChart {
  private readonly chart: ChartType<'bar', number[], string>;
  private readonly values: number[];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly classes: readonly string[],
    options: { title?: string; colors?: readonly string[] } = {},
  ) {
    const Chart = setupCharts();
    this.values = classes.map(() => 0);
    canvas.setAttribute('role', 'img');
    this.chart = new Chart(canvas, {
      type: 'bar',
      data: {
        labels: [...classes],
        datasets: [
          {
            label: options.title ?? 'probability',
            data: this.values,
            backgroundColor: options.colors ? [...options.colors] : classes.map((_, i) => classColor(i)),
          },
        ],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: {
          x: { type: 'linear', min: 0, max: 1, ticks: { stepSize: 0.25, callback: (value) => `${Math.round(Number(value) * 100)}%` } },
          y: { type: 'category', ticks: { autoSkip: false } },
        },
      },
    });
    this.describe();
  }

  update(probs: ArrayLike<number>): void {
    for (let i = 0; i < this.values.length; i++) this.values[i] = probs[i] ?? 0;
    this.chart.update('none');
    this.describe();
  }

  private describe(): void {
    const text = this.classes.map((c, i) => `${c} ${Math.round((this.values[i] ?? 0) * 100)}%`).join(', ');
    this.canvas.setAttribute('aria-label', `Class probabilities: ${text}`);
  }

  destroy(): void {
    this.chart.destroy();
  }
}
