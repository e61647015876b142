// The watched device: live accelerometer chart, class probabilities, activity timeline and,
// for devices with ground truth, running accuracy and the confusion matrix.
import { AccelChart } from '../../charts/accel-chart.js';
import { ActivityTimeline } from '../../charts/activity-timeline.js';
import { ProbabilityChart } from '../../charts/probability-chart.js';
import { activityColor } from '../../shared/activity-colors.js';
import { h, requireElement, setVisible } from '../../shared/dom.js';
import { renderConfusionTable } from './confusion.js';
import type { DeviceState } from './device-store.js';
import { formatNumber } from './device-table.js';

export class DeviceDetail {
  private readonly accel: AccelChart;
  private readonly probs: ProbabilityChart;
  private readonly timeline: ActivityTimeline;
  private readonly title: HTMLElement;
  private readonly label: HTMLElement;
  private readonly accuracySection: HTMLElement;
  private readonly accuracyText: HTMLElement;
  private readonly confusion: HTMLTableElement;
  private readonly signalBox: HTMLElement;
  private readonly body: HTMLElement;
  private readonly placeholder: HTMLElement;

  constructor(root: HTMLElement, classes: readonly string[]) {
    this.title = requireElement('[data-detail="title"]', root);
    this.label = requireElement('[data-detail="label"]', root);
    this.body = requireElement('[data-detail="body"]', root);
    this.placeholder = requireElement('[data-detail="placeholder"]', root);
    this.signalBox = requireElement('[data-detail="signal"]', root);
    this.accel = new AccelChart(requireElement<HTMLCanvasElement>('canvas', this.signalBox), { windowSeconds: 10, maxPoints: 300 });
    this.probs = new ProbabilityChart(requireElement<HTMLCanvasElement>('[data-detail="probs"] canvas', root), classes);
    this.timeline = new ActivityTimeline(requireElement<HTMLCanvasElement>('[data-detail="timeline"] canvas', root), 120);
    this.accuracySection = requireElement('[data-detail="accuracy"]', root);
    this.accuracyText = requireElement('[data-detail="accuracy-text"]', root);
    this.confusion = requireElement<HTMLTableElement>('[data-detail="confusion"]', root);
    const legend = requireElement('#activity-legend', root);
    legend.replaceChildren(...classes.map((c) => h('li', {}, h('span', { class: 'swatch', style: `background:${activityColor(c)}`, 'aria-hidden': 'true' }), c)));
  }

  /** Header and visibility; cheap, called when the selection or the device list changes. */
  showDevice(id: string | undefined, state: DeviceState | undefined): void {
    setVisible(this.body, state !== undefined);
    setVisible(this.placeholder, state === undefined);
    if (!state || id === undefined) {
      this.title.textContent = 'No device selected';
      return;
    }
    const info = state.info;
    this.title.textContent = `${id}${state.online ? '' : ' (offline)'}`;
    this.title.title = info.description ?? '';
  }

  renderSignal(state: DeviceState): void {
    this.accel.render(state.signal);
    // For tests and curious users: how many samples the chart is drawing from.
    this.signalBox.dataset.samples = String(state.signal.size);
    this.signalBox.dataset.renders = String(this.accel.renders);
  }

  renderPrediction(state: DeviceState): void {
    this.probs.update(state.probs);
    this.label.textContent = state.label ? `${state.label} · ${formatNumber(state.latencyMs, 0)} ms server latency · ${state.predictions} predictions` : 'waiting for the first prediction…';
    this.label.dataset.label = state.label ?? '';
    this.timeline.render(state.history);
    const cm = state.confusion;
    const showAccuracy = state.info.hasLabels === true || cm.total > 0;
    setVisible(this.accuracySection, showAccuracy);
    if (showAccuracy) {
      this.accuracyText.textContent =
        cm.total > 0
          ? `Running accuracy ${formatNumber(cm.accuracy * 100, 1)}% over ${cm.total} windows` + (cm.ignored > 0 ? ` (${cm.ignored} windows with other labels, e.g. transitions, not counted)` : '')
          : 'Waiting for labelled windows…';
      renderConfusionTable(this.confusion, cm);
    }
  }

  /** Redraw everything (selection changed). */
  renderAll(state: DeviceState | undefined): void {
    if (!state) {
      this.accel.clear();
      this.timeline.render(undefined);
      return;
    }
    this.renderSignal(state);
    this.renderPrediction(state);
  }
}
