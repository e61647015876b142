// The server's recording routes (server/plugins/recordings.ts) as typed calls.
import type { RecordingListEntry } from '../../../../server/recording/recording-manager.js';
import { getJson, httpError, postJson } from '../../net/http.js';
import { RecordingFormatError, summarizeRecording, type RecordingSummary } from './recording-summary.js';

export type { RecordingListEntry };

export const RECORDINGS_API = '/api/recordings';

export interface RecordingList {
  /** Folder of the recordings on the server's disk (absolute). */
  dir?: string;
  /** The server records every device from its hello (`--record`). */
  recordAll: boolean;
  recordings: RecordingListEntry[];
}

export interface ToggleReply {
  /** Start only: false when the device was being recorded already. */
  started?: boolean;
  recording: RecordingListEntry;
}

export function listRecordings(): Promise<RecordingList> {
  return getJson<RecordingList>(RECORDINGS_API);
}

export function startRecording(deviceId: string): Promise<ToggleReply> {
  return postJson<ToggleReply>(`${RECORDINGS_API}/${encodeURIComponent(deviceId)}/start`, {});
}

export function stopRecording(deviceId: string): Promise<ToggleReply> {
  return postJson<ToggleReply>(`${RECORDINGS_API}/${encodeURIComponent(deviceId)}/stop`, {});
}

/** Where the recording file downloads from: NDJSON as recorded, or the project's csv (in g). */
export function recordingUrl(id: string, format: 'ndjson' | 'csv' = 'ndjson'): string {
  return `${RECORDINGS_API}/${encodeURIComponent(id)}${format === 'csv' ? '?format=csv' : ''}`;
}

/** Deletes a finished recording (the server answers 409 recording-active while it is written). */
export async function deleteRecording(id: string): Promise<void> {
  const res = await fetch(recordingUrl(id), { method: 'DELETE', headers: { accept: 'application/json' } });
  if (!res.ok) throw httpError(res, await res.text(), `DELETE ${recordingUrl(id)}`);
}

/** Files the server imports as recordings (POST /api/recordings/import). */
export const IMPORT_FORMATS = ['sensor-logger', 'phyphox', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportReply {
  recording: RecordingListEntry;
  /** What the reader noticed (gravity removed, odd rate…). */
  warnings: string[];
}

/** Sends a csv file to be kept as a recording; `units` applies to the project's csv only. */
export async function importRecording(file: File, format: ImportFormat, units?: 'g' | 'm/s2'): Promise<ImportReply> {
  const name = file.name.replace(/[^A-Za-z0-9._ -]/g, '_').slice(-100) || 'upload.csv';
  const query = new URLSearchParams({ format, name, ...(units && format === 'csv' ? { units } : {}) });
  const url = `${RECORDINGS_API}/import?${query}`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/csv', accept: 'application/json' }, body: await file.text() });
  const text = await res.text();
  if (!res.ok) throw httpError(res, text, `importing ${file.name}`);
  return JSON.parse(text) as ImportReply;
}

/** Downloads a recording and counts its frames, samples and duration. */
export async function fetchSummary(id: string): Promise<RecordingSummary> {
  const res = await fetch(recordingUrl(id), { headers: { accept: 'application/x-ndjson' } });
  if (!res.ok) throw httpError(res, await res.text(), `GET ${recordingUrl(id)}`);
  const text = await res.text();
  try {
    return summarizeRecording(text);
  } catch (err) {
    if (err instanceof RecordingFormatError) throw new Error(`${id}: ${err.message}`);
    throw err;
  }
}
