// Connected devices (from the dashboard socket's device list) with a Start / Stop recording
// button each. Rows are kept and updated in place so a focused button keeps focus across updates.
import type { DeviceInfo } from '../../../../protocol/sensor-messages.js';
import { h } from '../../shared/dom.js';
import { formatCount, formatDuration, formatLocalTime } from './format.js';
import type { RecordingListEntry } from './recordings-api.js';

export type ToggleAction = 'start' | 'stop';

interface Row {
  tr: HTMLTableRowElement;
  source: HTMLTableCellElement;
  rate: HTMLTableCellElement;
  since: HTMLTableCellElement;
  status: HTMLTableCellElement;
  button: HTMLButtonElement;
  buttonText: HTMLSpanElement;
  action: ToggleAction;
}

export class RecordingDeviceTable {
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly tbody: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
    private readonly onToggle: (deviceId: string, action: ToggleAction) => void,
  ) {}

  /**
   * @param live the device's recording being written, if any
   * @param pending devices whose start/stop request is on its way (their button ignores clicks)
   */
  render(devices: readonly DeviceInfo[], live: ReadonlyMap<string, RecordingListEntry>, pending: ReadonlySet<string>, now: number): void {
    const ids = new Set(devices.map((d) => d.deviceId));
    for (const [id, row] of this.rows) {
      if (!ids.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    for (const info of devices) {
      const row = this.rows.get(info.deviceId) ?? this.createRow(info.deviceId);
      this.fill(row, info, live.get(info.deviceId), pending.has(info.deviceId), now);
    }
    this.empty.classList.toggle('hidden', devices.length > 0);
  }

  private createRow(id: string): Row {
    const buttonText = h('span', { textContent: 'Start recording' });
    // The visible text says what; the hidden part says which device, for screen readers.
    const button = h('button', { type: 'button', class: 'record-toggle', 'data-device': id }, buttonText, h('span', { class: 'visually-hidden', textContent: ` ${id}` }));
    const cell = () => h('td');
    const row: Row = { tr: h('tr', { 'data-device': id }), source: cell(), rate: cell(), since: cell(), status: cell(), button, buttonText, action: 'start' };
    button.addEventListener('click', () => {
      if (button.getAttribute('aria-disabled') === 'true') return;
      this.onToggle(id, row.action);
    });
    row.tr.append(h('th', { scope: 'row', textContent: id }), row.source, row.rate, row.since, row.status, h('td', {}, button));
    this.tbody.append(row.tr);
    this.rows.set(id, row);
    return row;
  }

  private fill(row: Row, info: DeviceInfo, recording: RecordingListEntry | undefined, pending: boolean, now: number): void {
    setText(row.source, info.source ?? '—');
    setText(row.rate, `${Math.round(info.rateHz)} Hz`);
    setText(row.since, formatLocalTime(new Date(info.connectedAt)));
    if (recording) {
      const figures = [formatDuration(now - Date.parse(recording.startedAt))];
      if (recording.samples !== undefined) figures.push(`${formatCount(recording.samples)} samples`);
      setText(row.status, `recording · ${figures.join(' · ')}`);
    } else {
      setText(row.status, 'not recording');
    }
    row.status.classList.toggle('recording', recording !== undefined);
    row.action = recording ? 'stop' : 'start';
    setText(row.buttonText, recording ? 'Stop recording' : 'Start recording');
    row.button.classList.toggle('stop', recording !== undefined);
    row.button.classList.toggle('secondary', recording === undefined);
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
    if (pending) row.button.setAttribute('aria-disabled', 'true');
    else row.button.removeAttribute('aria-disabled');
  }
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
