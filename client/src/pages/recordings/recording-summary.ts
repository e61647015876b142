// Figures of a finished recording file (protocol/recording-format.ts), counted in the page from
// its NDJSON text: the list route reports frames and samples only for live recordings. Counts
// lines only; the full reader (samples converted, labels parsed) is data/readers/sensorium-recording.ts.
import { RECORDING_FORMAT, type RecordingEnd, type RecordingHeader, type RecordingLine } from '../../../../protocol/recording-format.js';

export interface RecordingSummary {
  deviceId: string;
  startedAt: string;
  frames: number;
  samples: number;
  /** Some samples carry activity labels (the header says so, or a frame has them). */
  hasLabels: boolean;
  /** Times the device reconnected and the stream went on in this file. */
  resumes: number;
  /** The clean end (absent when the server stopped abruptly). */
  end?: { at: number; reason: string };
  /** The last line was cut short (the server was killed mid-write); it is not counted. */
  torn: boolean;
  /** Wall-clock time from the start to the end line (or the last frame written), ms. */
  durationMs: number | undefined;
}

export class RecordingFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingFormatError';
  }
}

export function summarizeRecording(text: string): RecordingSummary {
  const lines = text.split('\n');
  let header: RecordingHeader | undefined;
  let frames = 0;
  let samples = 0;
  let labelled = false;
  let resumes = 0;
  let lastAt: number | undefined;
  let end: RecordingEnd | undefined;
  let torn = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    let line: RecordingLine;
    try {
      line = JSON.parse(raw) as RecordingLine;
    } catch {
      // Only the very last line may be torn; anywhere else the file is damaged.
      if (lines.slice(i + 1).every((l) => l.trim() === '')) {
        torn = true;
        break;
      }
      throw new RecordingFormatError(`line ${i + 1} is not JSON`);
    }
    if (!header) {
      if (line.kind !== 'header' || line.format !== RECORDING_FORMAT) throw new RecordingFormatError(`not a ${RECORDING_FORMAT} file (no header line)`);
      header = line;
      continue;
    }
    if (line.kind === 'samples') {
      frames++;
      samples += Array.isArray(line.t) ? line.t.length : 0;
      labelled ||= Array.isArray(line.labels) && line.labels.some((l) => l !== null);
      lastAt = line.at;
    } else if (line.kind === 'resumed') {
      resumes++;
      lastAt = line.at;
    } else if (line.kind === 'end') {
      end = line;
    }
  }
  if (!header) throw new RecordingFormatError('empty file: no header line');
  const started = Date.parse(header.startedAt);
  const until = end?.at ?? lastAt;
  const summary: RecordingSummary = {
    deviceId: header.deviceId,
    startedAt: header.startedAt,
    frames,
    samples,
    hasLabels: header.hasLabels === true || labelled,
    resumes,
    torn,
    durationMs: until !== undefined && Number.isFinite(started) ? Math.max(0, until - started) : undefined,
  };
  if (end) summary.end = { at: end.at, reason: end.reason };
  return summary;
}
