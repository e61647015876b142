// Recordings page: the connected devices (from /ws/dashboard's device list) with Start / Stop
// recording, the recordings on the server's disk (GET /api/recordings, polled while the page is
// visible) with download links (NDJSON, csv) and Delete, the commands that replay one (the server
// has no replay route), and an import of csv files from other apps (Sensor Logger, phyphox).
import type { DeviceInfo } from '../../../../protocol/sensor-messages.js';
import { HttpError } from '../../net/http.js';
import { messageType, ServerSocket, socketUrl } from '../../net/socket.js';
import { errorMessage, requireElement, setVisible, showNotice } from '../../shared/dom.js';
import { mountPageShell } from '../../shared/page-shell.js';
import { RecordingDeviceTable, type ToggleAction } from './device-list.js';
import { deleteRecording, fetchSummary, listRecordings, startRecording, stopRecording, type RecordingList, type RecordingListEntry } from './recordings-api.js';
import { mountImportForm } from './import-form.js';
import { RecordingTable, type SummaryState } from './recording-table.js';
import { ReplayPanel } from './replay-panel.js';
import { formatBytes } from './format.js';
import './recordings.css';

/** How often the list is fetched while the page is visible. */
const POLL_MS = 2000;
/** Finished recordings up to this size are counted in the page at once; larger ones on request. */
const AUTO_COUNT_MAX_BYTES = 8_000_000;

const shell = mountPageShell('recordings');
const notice = requireElement('#recordings-notice');
const recordAllNote = requireElement('#record-all-note');
const dirNote = requireElement('#rec-dir');
const deviceTable = new RecordingDeviceTable(requireElement('#rec-device-table tbody'), requireElement('#rec-no-devices'), (id, action) => void toggle(id, action));
const recordingTable = new RecordingTable(requireElement('#rec-table tbody'), requireElement('#rec-empty'), {
  onReplay: (entry) => replay.show(entry, list?.dir, socketUrl('/ws/device')),
  onCount: (entry) => {
    summaries.set(entry.id, { state: 'loading' });
    render();
    void count(entry);
  },
  onDelete: (entry) => void remove(entry),
});
const replay = new ReplayPanel(requireElement('#replay'));

let devices: DeviceInfo[] = [];
let list: RecordingList | undefined;
const pending = new Set<string>();
/** Finished recordings' figures by id (finished files do not change). */
const summaries = new Map<string, SummaryState>();
/** Failed recordings already announced in the notice. */
const announcedFailures = new Set<string>();
let refreshing: Promise<void> | undefined;
let refreshAgain = false;

function render(): void {
  const now = Date.now();
  const recordings = list?.recordings ?? [];
  const live = new Map<string, RecordingListEntry>();
  for (const r of recordings) if (r.active) live.set(r.deviceId, r);
  deviceTable.render(devices, live, pending, now);
  recordingTable.render(recordings, summaries, now);
  replay.update(recordings.find((r) => r.id === replay.shownId));
}

/** Fetches the list (one request at a time; a call during one asks for another after it). */
function refresh(): Promise<void> {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        refreshAgain = false;
        list = await listRecordings();
        onList(list);
      } while (refreshAgain);
    } catch (err) {
      showNotice(notice, `Could not list the recordings: ${errorMessage(err)}`, 'error');
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

function onList(l: RecordingList): void {
  if (notice.textContent?.startsWith('Could not list')) showNotice(notice, '');
  setVisible(recordAllNote, l.recordAll);
  const total = l.recordings.reduce((s, r) => s + r.bytes, 0);
  dirNote.textContent = `${l.recordings.length} recording${l.recordings.length === 1 ? '' : 's'}, ${formatBytes(total)}${l.dir ? `, in ${l.dir} on the server` : ''}.`;
  const ids = new Set(l.recordings.map((r) => r.id));
  for (const id of summaries.keys()) if (!ids.has(id)) summaries.delete(id);
  for (const r of l.recordings) {
    if (r.failed) {
      // Figures come from the server; the file, if any, is cut short. Announced once.
      summaries.delete(r.id);
      if (!announcedFailures.has(r.id)) {
        announcedFailures.add(r.id);
        showNotice(notice, `Recording ${r.id} failed: ${r.error ?? 'the server could not write it'}. The device is still served; its stream is no longer recorded.`, 'error');
      }
    } else if (r.active) {
      summaries.delete(r.id); // figures come from the server while it is written
    } else if (!summaries.has(r.id)) {
      if (r.bytes > AUTO_COUNT_MAX_BYTES) summaries.set(r.id, { state: 'on-request' });
      else {
        summaries.set(r.id, { state: 'loading' });
        void count(r);
      }
    }
  }
  render();
}

async function count(entry: RecordingListEntry): Promise<void> {
  try {
    summaries.set(entry.id, { state: 'done', summary: await fetchSummary(entry.id) });
  } catch (err) {
    summaries.set(entry.id, { state: 'error', message: errorMessage(err) });
  }
  render();
}

async function toggle(deviceId: string, action: ToggleAction): Promise<void> {
  pending.add(deviceId);
  render();
  try {
    const reply = await (action === 'start' ? startRecording(deviceId) : stopRecording(deviceId));
    const note = action === 'start' ? (reply.started === false ? 'was already being recorded' : 'is being recorded') : 'is no longer recorded';
    showNotice(notice, `${deviceId} ${note} (${reply.recording.id}).`, 'info');
  } catch (err) {
    // 404: the device left, or its recording ended, since the list was drawn.
    const text = err instanceof HttpError ? err.serverMessage : errorMessage(err);
    showNotice(notice, `Could not ${action} recording ${deviceId}: ${text}`, 'error');
  } finally {
    pending.delete(deviceId);
    await refresh();
  }
}

async function remove(entry: RecordingListEntry): Promise<void> {
  if (!window.confirm(`Delete the recording ${entry.id} from the server's disk? This cannot be undone.`)) return;
  try {
    await deleteRecording(entry.id);
    showNotice(notice, `Deleted ${entry.id}.`, 'info');
  } catch (err) {
    // 409: it is being recorded again (or still); 403: this token may not delete.
    showNotice(notice, `Could not delete ${entry.id}: ${err instanceof HttpError ? err.serverMessage : errorMessage(err)}`, 'error');
  }
  await refresh();
}

mountImportForm(requireElement<HTMLFormElement>('#rec-import'), {
  onImported: (reply) => {
    const warned = reply.warnings.length > 0 ? ` Note: ${reply.warnings.join('; ')}.` : '';
    showNotice(notice, `Imported ${reply.recording.id} (${reply.recording.samples ?? 0} samples). Replay it from the list below.${warned}`, reply.warnings.length > 0 ? 'warn' : 'info');
    void refresh();
  },
  onError: (message) => showNotice(notice, message, 'error'),
});

const socket = new ServerSocket('/ws/dashboard', {
  // No device ids: the device list (and stats) without anyone's signal or predictions.
  onOpen: (s) => s.send({ type: 'subscribe', devices: [] }),
  onState: (state, text) => shell.setConnection(state, `server: ${text}`),
  onDecodeError: (error) => showNotice(notice, `Unreadable message from the server: ${error}`, 'error'),
  onMessage: (message) => {
    switch (messageType(message)) {
      case 'devices':
        devices = [...(message as { devices: DeviceInfo[] }).devices].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
        render();
        void refresh(); // a device that left has ended its recording
        break;
      case 'error': {
        const { code, message: text } = message as { code: string; message: string };
        showNotice(notice, `Server error (${code}): ${text}`, 'error');
        break;
      }
      default:
        break; // stats, and newer messages this page does not use
    }
  },
});
socket.start();

void refresh();
setInterval(() => {
  if (document.visibilityState === 'visible') void refresh();
}, POLL_MS);
// Live durations tick between polls.
setInterval(() => {
  if (document.visibilityState === 'visible' && list?.recordings.some((r) => r.active)) render();
}, 1000);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void refresh();
});
