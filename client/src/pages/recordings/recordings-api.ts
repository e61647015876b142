// The server's recording routes (server/plugins/recordings.ts) as typed calls.
import type { RecordingListEntry } from '../../../../server/recording/recording-manager.js';
import { getJson, HttpError, postJson } from '../../net/http.js';
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

/** Where the recording file downloads from. */
export function recordingUrl(id: string): string {
  return `${RECORDINGS_API}/${encodeURIComponent(id)}`;
}

/** Downloads a recording and counts its frames, samples and duration. */
export async function fetchSummary(id: string): Promise<RecordingSummary> {
  const res = await fetch(recordingUrl(id), { headers: { accept: 'application/x-ndjson' } });
  if (!res.ok) throw new HttpError(res.status, `GET ${recordingUrl(id)} failed (${res.status})`);
  const text = await res.text();
  try {
    return summarizeRecording(text);
  } catch (err) {
    if (err instanceof RecordingFormatError) throw new Error(`${id}: ${err.message}`);
    throw err;
  }
}
