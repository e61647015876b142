// Writes a Recording (in g) as a server recording file (protocol/recording-format.ts: a header
// line, samples lines of up to 50 samples, an end line), so files imported from other apps sit in
// the recordings folder beside live ones: listed, downloaded (NDJSON or csv) and replayed alike.
import { RECORDING_FORMAT, RECORDING_VERSION, float32Text, type RecordingLine } from '../../protocol/recording-format.js';
import type { Recording } from './recording.js';

const SAMPLES_PER_LINE = 50;

export interface RecordingFileInfo {
  id: string;
  deviceId: string;
  description?: string;
  /** ISO time; default now. */
  startedAt?: string;
}

export function formatSensoriumRecording(rec: Recording, info: RecordingFileInfo): string {
  const startedAt = info.startedAt ?? new Date().toISOString();
  // Lines are stamped as if written live from startedAt, so the file's span is the recording's length.
  const start = Date.parse(startedAt);
  const t0 = rec.t[0] ?? 0;
  const atSample = (i: number) => Math.round(start + rec.t[i]! - t0);
  const hasLabels = rec.labels.some((l) => l !== undefined);
  const lines: RecordingLine[] = [
    {
      kind: 'header',
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      id: info.id,
      deviceId: info.deviceId,
      rateHz: Math.round((rec.rateHz ?? 50) * 100) / 100,
      units: 'g',
      source: 'recording',
      ...(info.description ? { description: info.description } : {}),
      ...(hasLabels ? { hasLabels } : {}),
      startedAt,
    },
  ];
  let seq = 0;
  for (let from = 0; from < rec.t.length; from += SAMPLES_PER_LINE, seq++) {
    const to = Math.min(rec.t.length, from + SAMPLES_PER_LINE);
    const pick = (a: ArrayLike<number>) => Array.from({ length: to - from }, (_, i) => float32Text(a[from + i]!));
    lines.push({
      kind: 'samples',
      seq,
      at: atSample(to - 1),
      t: Array.from(rec.t.subarray(from, to)),
      x: pick(rec.x),
      y: pick(rec.y),
      z: pick(rec.z),
      ...(hasLabels ? { labels: rec.labels.slice(from, to).map((l) => l ?? null) } : {}),
    });
  }
  lines.push({ kind: 'end', at: rec.t.length > 0 ? atSample(rec.t.length - 1) : start, frames: seq, samples: rec.t.length, reason: 'imported' });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}
