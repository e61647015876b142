// Converts a server recording (protocol/recording-format.ts, NDJSON) to the project's csv
// (`timestamp_ms,x,y,z,label` in g: csv.ts reads it, `eval --format csv` and replay take it),
// line by line so a long recording never sits in memory whole. m/s² recordings become g. Lines
// that are not JSON (a torn last line of a recording still being written or cut by a crash) are
// skipped; a file without the recording header is refused before anything is written.
import { RECORDING_FORMAT, float32Text, type RecordingFrame, type RecordingHeader } from '../../protocol/recording-format.js';
import { toGFactor } from '../signal/units.js';
import { CSV_COLUMNS } from './csv.js';
import { DataFormatError } from './recording.js';

/** Rows per chunk handed on (about 40 kB of text). */
const ROWS_PER_CHUNK = 1000;

/**
 * Csv text chunks of a recording's NDJSON lines (header first). Throws DataFormatError on the
 * first line when it is not a recording header; `source` names the file in that error.
 */
export async function* recordingToCsv(lines: AsyncIterable<string>, source: string): AsyncGenerator<string> {
  let scale: number | undefined;
  let rows: string[] = [];
  for await (const raw of lines) {
    if (raw.trim() === '') continue;
    let line: { kind?: unknown };
    try {
      line = JSON.parse(raw) as { kind?: unknown };
    } catch {
      continue;
    }
    if (scale === undefined) {
      const h = line as RecordingHeader;
      if (h.kind !== 'header' || h.format !== RECORDING_FORMAT || (h.units !== 'g' && h.units !== 'm/s2')) throw new DataFormatError(source, `not a ${RECORDING_FORMAT} file (no header line)`, 1);
      scale = toGFactor(h.units);
      yield CSV_COLUMNS.join(',') + '\n';
      continue;
    }
    if (line.kind !== 'samples') continue;
    const f = line as RecordingFrame;
    if (!Array.isArray(f.t)) continue;
    for (let i = 0; i < f.t.length; i++) {
      rows.push(`${f.t[i]},${value(f.x[i], scale)},${value(f.y[i], scale)},${value(f.z[i], scale)},${csvLabel(f.labels?.[i])}`);
    }
    if (rows.length >= ROWS_PER_CHUNK) {
      yield rows.join('\n') + '\n';
      rows = [];
    }
  }
  if (scale === undefined) throw new DataFormatError(source, `empty file: no ${RECORDING_FORMAT} header`);
  if (rows.length > 0) yield rows.join('\n') + '\n';
}

function value(v: number | undefined, scale: number): number {
  return v === undefined ? NaN : scale === 1 ? v : float32Text(v * scale);
}

/** Labels are free text on the wire: nothing that would break a csv cell. */
function csvLabel(label: string | null | undefined): string {
  return label ? label.replace(/[",\r\n]/g, ' ').trim() : '';
}
