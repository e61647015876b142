// Activity timeline: a strip of coloured segments, one per prediction, over the last
// `spanSeconds` of device time; a second row shows ground truth when the device sends labels.
// Plain canvas: Chart.js has no Gantt-like chart, and this draws a few hundred rectangles.
import { activityColor } from '../shared/activity-colors.js';
import type { PredictionHistory } from './prediction-history.js';

const ROW_LABEL_WIDTH = 78;
const ROW_HEIGHT = 22;
/** A prediction's segment starts at the previous prediction, unless that is further back (gap). */
const MAX_SEGMENT_MS = 5000;
const DEFAULT_SEGMENT_MS = 1280;

export class ActivityTimeline {
  private readonly ctx: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly spanSeconds = 120,
  ) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('2-D canvas is not available');
    this.ctx = ctx;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'Activity timeline: no predictions yet');
  }

  render(history: PredictionHistory | undefined): void {
    const { canvas, ctx } = this;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const rows = history?.hasTruth ? 2 : 1;
    const height = rows * ROW_HEIGHT + 18;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.height = `${height}px`;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#1b1e24';
    ctx.fillText('predicted', 2, ROW_HEIGHT / 2);
    if (rows === 2) ctx.fillText('truth', 2, ROW_HEIGHT * 1.5);
    const plotWidth = Math.max(1, width - ROW_LABEL_WIDTH);
    ctx.strokeStyle = '#c9ced8';
    ctx.strokeRect(ROW_LABEL_WIDTH - 0.5, 0.5, plotWidth, rows * ROW_HEIGHT);
    ctx.fillStyle = '#4a5160';
    ctx.textBaseline = 'top';
    ctx.fillText(`−${this.spanSeconds} s`, ROW_LABEL_WIDTH, rows * ROW_HEIGHT + 3);
    ctx.fillText('now', width - ctx.measureText('now').width - 2, rows * ROW_HEIGHT + 3);
    if (!history || history.size === 0) {
      canvas.setAttribute('aria-label', 'Activity timeline: no predictions yet');
      return;
    }

    const classes = history.classes;
    const newest = history.newestTime;
    const spanMs = this.spanSeconds * 1000;
    const toX = (t: number) => ROW_LABEL_WIDTH + ((t - (newest - spanMs)) / spanMs) * plotWidth;
    let previousEnd = NaN;
    for (let k = 0; k < history.size; k++) {
      const i = history.index(k);
      const end = history.windowEnd[i]!;
      const start = Number.isNaN(previousEnd) || end - previousEnd > MAX_SEGMENT_MS ? end - DEFAULT_SEGMENT_MS : previousEnd;
      previousEnd = end;
      if (end < newest - spanMs) continue;
      const x0 = Math.max(ROW_LABEL_WIDTH, toX(start));
      const w = Math.max(1, toX(end) - x0);
      const p = history.predicted[i]!;
      ctx.fillStyle = p >= 0 ? activityColor(classes[p]!) : '#777777';
      ctx.fillRect(x0, 1, w, ROW_HEIGHT - 2);
      const t = history.truth[i]!;
      if (rows === 2 && t >= 0) {
        ctx.fillStyle = activityColor(classes[t]!);
        ctx.fillRect(x0, ROW_HEIGHT + 1, w, ROW_HEIGHT - 2);
      }
    }
    const last = history.predicted[history.index(history.size - 1)]!;
    canvas.setAttribute('aria-label', `Activity timeline over the last ${this.spanSeconds} s: ${history.size} predictions, latest ${last >= 0 ? classes[last] : 'unknown'}`);
  }
}
