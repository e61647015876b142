// The "devices online" table: one row per device (kept and updated in place), a button per row
// to watch that device.
import { h } from '../../shared/dom.js';
import { activityColor } from '../../shared/activity-colors.js';
import type { DeviceState } from './device-store.js';

interface Row {
  tr: HTMLTableRowElement;
  button: HTMLButtonElement;
  status: HTMLTableCellElement;
  source: HTMLTableCellElement;
  rate: HTMLTableCellElement;
  units: HTMLTableCellElement;
  description: HTMLTableCellElement;
  activity: HTMLTableCellElement;
  accuracy: HTMLTableCellElement;
  latency: HTMLTableCellElement;
}

export class DeviceTable {
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly tbody: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
    private readonly onSelect: (deviceId: string) => void,
  ) {}

  render(devices: ReadonlyMap<string, DeviceState>, selected: string | undefined): void {
    for (const [id, row] of this.rows) {
      if (!devices.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    for (const [id, state] of devices) {
      const row = this.rows.get(id) ?? this.createRow(id);
      this.fill(row, state, id === selected);
    }
    this.empty.classList.toggle('hidden', devices.size > 0);
  }

  private createRow(id: string): Row {
    const button = h('button', { type: 'button', class: 'secondary device-select', textContent: id, 'data-device': id });
    button.addEventListener('click', () => this.onSelect(id));
    const cell = () => h('td');
    const row: Row = {
      tr: h('tr', { 'data-device': id }),
      button,
      status: cell(),
      source: cell(),
      rate: cell(),
      units: cell(),
      description: cell(),
      activity: cell(),
      accuracy: cell(),
      latency: cell(),
    };
    row.tr.append(h('th', { scope: 'row' }, button), row.status, row.source, row.rate, row.units, row.activity, row.accuracy, row.latency, row.description);
    this.tbody.append(row.tr);
    this.rows.set(id, row);
    return row;
  }

  private fill(row: Row, state: DeviceState, selected: boolean): void {
    const { info } = state;
    row.button.setAttribute('aria-pressed', String(selected));
    row.tr.classList.toggle('selected', selected);
    setText(row.status, state.online ? 'online' : 'offline');
    setText(row.source, info.source ?? '—');
    setText(row.rate, `${formatNumber(info.rateHz, 0)} Hz`);
    setText(row.units, info.units === 'm/s2' ? 'm/s²' : info.units);
    setText(row.description, info.description ?? '');
    const label = state.label ?? '—';
    if (row.activity.dataset.label !== label || row.activity.dataset.personal !== String(state.personal)) {
      row.activity.dataset.label = label;
      row.activity.dataset.personal = String(state.personal);
      row.activity.replaceChildren(
        h('span', { class: 'swatch', style: `background:${state.label ? activityColor(label) : 'transparent'}`, 'aria-hidden': 'true' }),
        label,
        // Personalised devices are marked: their labels come from their own calibrated head.
        ...(state.personal ? [h('span', { class: 'personal-badge', title: "predicted by this device's personal model", textContent: 'personal' })] : []),
      );
    }
    const cm = state.confusion;
    setText(row.accuracy, cm.total > 0 ? `${formatNumber(cm.accuracy * 100, 1)}% (${cm.total})` : info.hasLabels ? 'waiting' : '—');
    setText(row.latency, Number.isFinite(state.latencyMs) ? `${formatNumber(state.latencyMs, 0)} ms` : '—');
  }
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

export function formatNumber(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}
