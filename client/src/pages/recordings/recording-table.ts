// The recorded sessions: device, start, duration, samples, size, status, download links (NDJSON
// and csv), a Replay button and a Delete button (finished recordings) per recording. Live recordings show the server's running figures; finished ones
// show what the page counted in their file (recording-summary.ts). Rows are updated in place.
import { h } from '../../shared/dom.js';
import { formatBytes, formatCount, formatDuration, formatLocalTime } from './format.js';
import type { RecordingSummary } from './recording-summary.js';
import { recordingUrl, type RecordingListEntry } from './recordings-api.js';

/** What the page knows of a finished recording's content. */
export type SummaryState =
  | { state: 'loading' }
  | { state: 'done'; summary: RecordingSummary }
  | { state: 'error'; message: string }
  /** Larger than the page counts on its own: a button asks for it. */
  | { state: 'on-request' };

interface Row {
  tr: HTMLTableRowElement;
  started: HTMLTableCellElement;
  duration: HTMLTableCellElement;
  samples: HTMLTableCellElement;
  size: HTMLTableCellElement;
  status: HTMLTableCellElement;
  download: HTMLAnchorElement;
  csv: HTMLAnchorElement;
  remove: HTMLButtonElement;
  count: HTMLButtonElement;
  replay: HTMLButtonElement;
}

export interface RecordingTableHandlers {
  onReplay(entry: RecordingListEntry): void;
  /** Count a large finished recording (downloads it). */
  onCount(entry: RecordingListEntry): void;
  /** Delete a finished recording (the page asks first). */
  onDelete(entry: RecordingListEntry): void;
}

export class RecordingTable {
  private readonly rows = new Map<string, Row>();
  private readonly entries = new Map<string, RecordingListEntry>();

  constructor(
    private readonly tbody: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
    private readonly handlers: RecordingTableHandlers,
  ) {}

  render(entries: readonly RecordingListEntry[], summaries: ReadonlyMap<string, SummaryState>, now: number): void {
    const ids = new Set(entries.map((e) => e.id));
    for (const [id, row] of this.rows) {
      if (!ids.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
        this.entries.delete(id);
      }
    }
    // Newest first, as the server lists them; rows move only when the order changes.
    let previous: HTMLTableRowElement | undefined;
    for (const entry of entries) {
      this.entries.set(entry.id, entry);
      const row = this.rows.get(entry.id) ?? this.createRow(entry);
      const expectedNext: Element | null = previous ? previous.nextElementSibling : this.tbody.firstElementChild;
      if (expectedNext !== row.tr) {
        if (previous) previous.after(row.tr);
        else this.tbody.prepend(row.tr);
      }
      this.fill(row, entry, summaries.get(entry.id), now);
      previous = row.tr;
    }
    this.empty.classList.toggle('hidden', entries.length > 0);
  }

  private createRow(entry: RecordingListEntry): Row {
    const id = entry.id;
    const started = formatLocalTime(new Date(entry.startedAt));
    // Link and button texts are short; the hidden part names the recording for screen readers.
    const which = () => h('span', { class: 'visually-hidden', textContent: ` ${entry.deviceId}, ${started}` });
    const download = h('a', { class: 'button secondary', href: recordingUrl(id), download: `${id}.ndjson` }, 'Download', which());
    // The project's csv in g: what `npm run eval -- har --format csv` and replay read.
    const csv = h('a', { class: 'button secondary', href: recordingUrl(id, 'csv'), download: `${id}.csv` }, 'CSV', which());
    const remove = h('button', { type: 'button', class: 'secondary delete' }, 'Delete', which());
    remove.addEventListener('click', () => this.handlers.onDelete(this.entries.get(id) ?? entry));
    const replay = h('button', { type: 'button', class: 'secondary', 'aria-controls': 'replay' }, 'Replay', which());
    replay.addEventListener('click', () => this.handlers.onReplay(this.entries.get(id) ?? entry));
    const count = h('button', { type: 'button', class: 'secondary count' }, 'Count', h('span', { class: 'visually-hidden', textContent: ` samples of ${entry.deviceId}, ${started}` }));
    count.addEventListener('click', () => {
      replay.focus(); // the button gives way to the figure: keep the focus in the row
      this.handlers.onCount(this.entries.get(id) ?? entry);
    });
    const cell = () => h('td');
    const row: Row = { tr: h('tr', { 'data-recording': id }), started: cell(), duration: cell(), samples: cell(), size: cell(), status: cell(), download, csv, remove, count, replay };
    row.tr.append(
      h('th', { scope: 'row', textContent: entry.deviceId }),
      row.started,
      row.duration,
      row.samples,
      row.size,
      row.status,
      h('td', {}, h('div', { class: 'actions' }, download, csv, replay, remove)),
    );
    this.rows.set(id, row);
    return row;
  }

  private fill(row: Row, entry: RecordingListEntry, summary: SummaryState | undefined, now: number): void {
    setText(row.started, formatLocalTime(new Date(entry.startedAt)));
    setText(row.size, formatBytes(entry.bytes));
    row.tr.classList.toggle('live', entry.active);
    row.tr.classList.toggle('failed', entry.failed === true);
    // A recording that failed before anything reached the disk has no file to download.
    row.download.classList.toggle('hidden', entry.failed === true && entry.bytes === 0);
    row.csv.classList.toggle('hidden', entry.failed === true && entry.bytes === 0);
    // The server refuses to delete a recording while it is written (409): stop it first.
    row.remove.classList.toggle('hidden', entry.active);
    let duration = '—';
    let samples = '—';
    let status: string;
    if (entry.failed) {
      // The server gave the file up (disk full, I/O error, folder unusable): say why, with what it kept.
      if (entry.samples !== undefined) samples = formatCount(entry.samples);
      status = `failed: ${entry.error ?? 'the server could not write it'}`;
    } else if (entry.active) {
      duration = formatDuration(now - Date.parse(entry.startedAt));
      if (entry.samples !== undefined) samples = formatCount(entry.samples);
      status = entry.droppedFrames ? `recording (${formatCount(entry.droppedFrames)} frames dropped: disk too slow)` : 'recording';
    } else if (summary?.state === 'done') {
      const s = summary.summary;
      if (s.durationMs !== undefined) duration = formatDuration(s.durationMs);
      samples = formatCount(s.samples);
      status = s.end ? `finished (${s.end.reason})` : 'incomplete (the server stopped abruptly)';
      if (s.resumes > 0) status += `, resumed ${s.resumes}×`;
      if (s.hasLabels) status += ', labelled';
    } else if (summary?.state === 'error') {
      status = `unreadable: ${summary.message}`;
    } else {
      status = summary?.state === 'loading' ? 'finished (counting…)' : 'finished';
    }
    // The Count button stands in for the samples figure of large recordings until it is used.
    if (!entry.active && summary?.state === 'on-request') {
      if (row.samples.firstChild !== row.count) row.samples.replaceChildren(row.count);
    } else {
      setText(row.samples, samples);
    }
    setText(row.duration, duration);
    setText(row.status, status);
  }
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
