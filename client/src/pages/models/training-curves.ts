// A model's training curves (Chart.js): per epoch, losses on the left axis and validation
// fractions (accuracy, F1, top-k) on the right. Which is which comes from the history's keys;
// derived or bookkeeping figures (perplexity = exp(loss), seconds, learning rate) are left out.
import { setupCharts } from '../../charts/setup.js';

const FRACTION = /acc|f1|top\d/i;
const LEFT_OUT = /^(epoch|seconds|lr)$|perplexity/i;
const COLORS = ['#1c5bb8', '#b8321c', '#2e7d32', '#8e44ad', '#c77700', '#00838f', '#5d4037', '#455a64'];

export interface CurveSummary {
  series: string[];
  epochs: number;
}

/** Draws the curves into `canvas`; returns which series it drew (none: nothing to draw). */
export function drawTrainingCurves(canvas: HTMLCanvasElement, history: Record<string, number>[]): CurveSummary {
  const keys = [...new Set(history.flatMap((row) => Object.keys(row)))].filter((k) => !LEFT_OUT.test(k));
  if (history.length === 0 || keys.length === 0) return { series: [], epochs: 0 };
  const Chart = setupCharts();
  const epochs = history.map((row, i) => row.epoch ?? i + 1);
  const hasFractions = keys.some((k) => FRACTION.test(k));
  const hasLosses = keys.some((k) => !FRACTION.test(k));
  new Chart(canvas, {
    type: 'line',
    data: {
      labels: epochs,
      datasets: keys.map((k, i) => ({
        label: k,
        data: history.map((row) => row[k] ?? null),
        yAxisID: FRACTION.test(k) ? 'fraction' : 'loss',
        borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length],
        borderDash: FRACTION.test(k) ? [6, 3] : [],
        pointRadius: history.length > 40 ? 0 : 2,
        spanGaps: true,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { precision: 0 } },
        loss: { type: 'linear', position: 'left', display: hasLosses, title: { display: true, text: 'loss' } },
        fraction: { type: 'linear', position: 'right', display: hasFractions, title: { display: true, text: 'validation (fraction)' }, grid: { drawOnChartArea: !hasLosses } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  const last = history[history.length - 1]!;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Training curves over ${history.length} epochs; last epoch: ${keys.map((k) => `${k} ${formatFigure(last[k])}`).join(', ')}`);
  return { series: keys, epochs: history.length };
}

export function formatFigure(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(4)).toString();
}
