// The recording file format: one NDJSON file per device session, append-only. The first line is
// the header (the device's hello and when it started), then one line per accepted samples frame
// in the order the pipeline used them, values in the device's own units exactly as accepted
// (x/y/z as float32 written with 9 significant digits, which round-trips float32). A resumed
// connection adds a `resumed` line; a clean end adds an `end` line. A crash may leave a torn
// last line: readers skip it.
import type { DeviceSource, Units } from './sensor-messages.js';

export const RECORDING_FORMAT = 'sensorium-recording';
export const RECORDING_VERSION = 1;
export const RECORDING_EXTENSION = '.ndjson';
/** File names (ids) of recordings: what the HTTP routes accept. */
export const RECORDING_ID_PATTERN = /^[A-Za-z0-9._-]{1,200}$/;

export interface RecordingHeader {
  kind: 'header';
  format: typeof RECORDING_FORMAT;
  version: number;
  id: string;
  deviceId: string;
  rateHz: number;
  units: Units;
  source?: DeviceSource;
  description?: string;
  hasLabels?: boolean;
  /** ISO time the recording started. */
  startedAt: string;
}

export interface RecordingFrame {
  kind: 'samples';
  /** Server-side frame number within the session (continues across resumed connections). */
  seq: number;
  /** Epoch ms the frame was written. */
  at: number;
  t: number[];
  x: number[];
  y: number[];
  z: number[];
  labels?: (string | null)[];
}

export interface RecordingResumed {
  kind: 'resumed';
  at: number;
}

export interface RecordingEnd {
  kind: 'end';
  at: number;
  frames: number;
  samples: number;
  reason: string;
}

export type RecordingLine = RecordingHeader | RecordingFrame | RecordingResumed | RecordingEnd;

/** Shortest-enough decimal that reads back as the same float32. */
export function float32Text(v: number): number {
  return Number(v.toPrecision(9));
}
