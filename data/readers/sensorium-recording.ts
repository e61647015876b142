// Reads the server's recordings (protocol/recording-format.ts; `npm start -- --record`): a
// .ndjson file, or a folder of them (one file = one device session), as Recording[] in g. A torn
// last line (the server was killed mid-write) is skipped with a warning; a broken line anywhere
// else is an error naming the file and line.
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { RECORDING_EXTENSION, RECORDING_FORMAT, type RecordingFrame, type RecordingHeader } from '../../protocol/recording-format.js';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import { DataFormatError, parseHarLabel, type HarLabel, type Recording } from './recording.js';

/** Reads one recording file, or every recording of a folder (sorted by name). */
export async function readSensoriumRecordings(pathOrDir: string): Promise<Recording[]> {
  if (!existsSync(pathOrDir)) throw new Error(`recording path not found: ${pathOrDir}`);
  if (!statSync(pathOrDir).isDirectory()) return [await readSensoriumRecordingFile(pathOrDir)];
  const names = (await readdir(pathOrDir)).filter((n) => n.endsWith(RECORDING_EXTENSION)).sort();
  if (names.length === 0) throw new Error(`${pathOrDir} has no ${RECORDING_EXTENSION} recordings`);
  const out: Recording[] = [];
  for (const name of names) out.push(await readSensoriumRecordingFile(join(pathOrDir, name)));
  return out;
}

export async function readSensoriumRecordingFile(path: string): Promise<Recording> {
  return parseSensoriumRecording(await readFile(path, 'utf8'), path);
}

/** Parses recording text; `path` names the source in errors. */
export function parseSensoriumRecording(text: string, path: string): Recording {
  const lines = text.split('\n');
  const last = lines.length - 1; // text ending in '\n' leaves an empty last element
  const warnings: string[] = [];
  let header: RecordingHeader | undefined;
  const frames: RecordingFrame[] = [];
  let resumes = 0;
  for (let i = 0; i <= last; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    let line: { kind?: unknown };
    try {
      line = JSON.parse(raw) as { kind?: unknown };
    } catch {
      if (i === last) {
        warnings.push(`the last line is incomplete (the server stopped mid-write): ${raw.length} bytes skipped`);
        break;
      }
      throw new DataFormatError(path, 'not a JSON line', i + 1);
    }
    if (i === 0 || header === undefined) {
      const h = line as RecordingHeader;
      if (h.kind !== 'header' || h.format !== RECORDING_FORMAT) throw new DataFormatError(path, `not a ${RECORDING_FORMAT} file (no header line)`, i + 1);
      if (h.units !== 'g' && h.units !== 'm/s2') throw new DataFormatError(path, `unknown units '${String(h.units)}'`, i + 1);
      header = h;
      continue;
    }
    if (line.kind === 'samples') {
      const f = line as RecordingFrame;
      const n = Array.isArray(f.t) ? f.t.length : -1;
      if (n < 0 || ![f.x, f.y, f.z].every((a) => Array.isArray(a) && a.length === n) || (f.labels !== undefined && f.labels.length !== n)) {
        throw new DataFormatError(path, 'a samples line needs t, x, y, z (and labels) of equal length', i + 1);
      }
      frames.push(f);
    } else if (line.kind === 'resumed') {
      resumes++;
    }
  }
  if (!header) throw new DataFormatError(path, `empty file: no ${RECORDING_FORMAT} header`);
  if (resumes > 0) warnings.push(`the device reconnected ${resumes} time(s) during this recording`);
  frames.sort((a, b) => a.seq - b.seq); // written in pipeline order already; sorting is a safeguard

  const total = frames.reduce((s, f) => s + f.t.length, 0);
  const t = new Float64Array(total);
  const x = new Float32Array(total);
  const y = new Float32Array(total);
  const z = new Float32Array(total);
  const labels: HarLabel[] = new Array(total);
  const scale = header.units === 'm/s2' ? 1 / STANDARD_GRAVITY : 1;
  let k = 0;
  for (const f of frames) {
    for (let i = 0; i < f.t.length; i++, k++) {
      t[k] = f.t[i]!;
      x[k] = f.x[i]! * scale;
      y[k] = f.y[i]! * scale;
      z[k] = f.z[i]! * scale;
      labels[k] = parseHarLabel(f.labels?.[i] ?? undefined);
    }
  }
  const rec: Recording = { id: basename(path, RECORDING_EXTENSION), rateHz: header.rateHz, t, x, y, z, labels, source: path };
  if (warnings.length) rec.warnings = warnings;
  return rec;
}
