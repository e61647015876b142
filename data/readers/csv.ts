// Reads device sessions from csv: a file, or a folder of *.csv files (one file = one session;
// subfolders too, e.g. one per person, so the folder `eval --personalize` takes reads as is),
// with the header `timestamp_ms,x,y,z,label` (the label column may be left out). Timestamps are
// milliseconds at any rate, not necessarily uniform; values are in `units` (default g) and come
// back in g. Labels: a class name, 'stairs', or anything else (unlabelled).
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import type { Units } from '../../protocol/sensor-messages.js';
import { guessUnits, toGFactor } from '../signal/units.js';
import { findFiles } from './text-file.js';
import { DataFormatError, parseHarLabel, type HarLabel, type Recording } from './recording.js';

export const CSV_COLUMNS = ['timestamp_ms', 'x', 'y', 'z', 'label'] as const;

export interface CsvReadOptions {
  units?: Units;
}

/** Reads one csv file, or every *.csv file under a folder, subfolders included (sorted by path). */
export async function readCsv(pathOrDir: string, opts: CsvReadOptions = {}): Promise<Recording[]> {
  if (!existsSync(pathOrDir)) throw new Error(`csv path not found: ${pathOrDir}`);
  if (!statSync(pathOrDir).isDirectory()) return [await readCsvFile(pathOrDir, opts)];
  const files = await findFiles(pathOrDir, /\.csv$/i);
  if (files.length === 0) throw new Error(`${pathOrDir} has no .csv files`);
  const out: Recording[] = [];
  for (const file of files) {
    const rec = await readCsvFile(file, opts);
    // Ids stay unique when people's folders hold files of the same name.
    out.push({ ...rec, id: relative(pathOrDir, file).replace(/\.csv$/i, '') });
  }
  return out;
}

export async function readCsvFile(path: string, opts: CsvReadOptions = {}): Promise<Recording> {
  return parseCsv(await readFile(path, 'utf8'), path, opts);
}

/** Parses csv text; `path` names the source in errors and becomes the recording id. */
export function parseCsv(text: string, path: string, opts: CsvReadOptions = {}): Recording {
  const units = opts.units ?? 'g';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitRow(lines[0] ?? '').map((h) => h.toLowerCase());
  const hasLabel = header.length === 5;
  if (!(header.length === 4 || hasLabel) || header.some((h, i) => h !== CSV_COLUMNS[i])) {
    throw new DataFormatError(path, `bad header '${(lines[0] ?? '').trim()}': expected '${CSV_COLUMNS.join(',')}' (label optional)`, 1);
  }
  const rows: { t: number; x: number; y: number; z: number; label: HarLabel }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const cols = splitRow(raw);
    if (cols.length !== header.length && !(hasLabel && cols.length === 4)) {
      throw new DataFormatError(path, `expected ${header.length} columns, got ${cols.length}: '${raw.trim().slice(0, 80)}'`, i + 1);
    }
    const nums = cols.slice(0, 4).map((c) => (c === '' ? NaN : Number(c)));
    const bad = nums.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new DataFormatError(path, `${CSV_COLUMNS[bad]} is not a number: '${cols[bad]}'`, i + 1);
    rows.push({ t: nums[0]!, x: nums[1]!, y: nums[2]!, z: nums[3]!, label: parseHarLabel(cols[4]) });
  }
  if (rows.length < 2) throw new DataFormatError(path, `needs at least 2 samples, has ${rows.length}`);

  const warnings: string[] = [];
  if (rows.some((r, i) => i > 0 && r.t < rows[i - 1]!.t)) {
    rows.sort((a, b) => a.t - b.t); // stable: equal timestamps keep file order
    warnings.push('timestamps were not in order; rows were sorted by timestamp');
  }
  const f = toGFactor(units);
  const rec: Recording = {
    id: basename(path).replace(/\.csv$/i, ''),
    t: Float64Array.from(rows, (r) => r.t),
    x: Float32Array.from(rows, (r) => r.x * f),
    y: Float32Array.from(rows, (r) => r.y * f),
    z: Float32Array.from(rows, (r) => r.z * f),
    labels: rows.map((r) => r.label),
    source: path,
  };
  const rate = estimateRateHz(rec.t);
  if (rate === undefined) throw new DataFormatError(path, 'all timestamps are equal: cannot tell the sample rate');
  if (rate > 1000) throw new DataFormatError(path, `timestamps imply ${rate.toFixed(0)} Hz: timestamp_ms must be in milliseconds (seconds given?)`);
  if (rate < 10 || rate > 200) warnings.push(`sample rate ${rate.toFixed(1)} Hz is outside the supported 10-200 Hz`);
  rec.rateHz = rate;
  const guessed = guessUnits(rec.x, rec.y, rec.z);
  if (guessed && guessed !== 'g') {
    warnings.push(`mean |a| is about 9.8 after reading as ${units}: the file looks like m/s² (use --units m/s2)`);
  } else if (
    units === 'm/s2' &&
    guessUnits(
      rec.x.map((v) => v / f),
      rec.y.map((v) => v / f),
      rec.z.map((v) => v / f),
    ) === 'g'
  ) {
    warnings.push('mean |a| is about 1 before conversion: the file looks like it is in g already (use --units g)');
  }
  if (warnings.length) rec.warnings = warnings;
  return rec;
}

/** Rate from the median positive interval between timestamps (robust to jitter and gaps). */
export function estimateRateHz(t: ArrayLike<number>): number | undefined {
  const d: number[] = [];
  for (let i = 1; i < t.length; i++) if (t[i]! > t[i - 1]!) d.push(t[i]! - t[i - 1]!);
  if (d.length === 0) return undefined;
  d.sort((a, b) => a - b);
  return 1000 / d[Math.floor(d.length / 2)]!;
}

function splitRow(line: string): string[] {
  return line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * Formats a recording as csv with the standard header, values converted from g to `units`
 * (tests, the m/s² round trip of the HAR robustness check, exporting replays).
 */
export function formatCsv(rec: Pick<Recording, 't' | 'x' | 'y' | 'z' | 'labels'>, opts: CsvReadOptions = {}): string {
  const f = 1 / toGFactor(opts.units ?? 'g');
  const lines = [CSV_COLUMNS.join(',')];
  for (let i = 0; i < rec.t.length; i++) {
    lines.push(`${rec.t[i]},${rec.x[i]! * f},${rec.y[i]! * f},${rec.z[i]! * f},${rec.labels[i] ?? ''}`);
  }
  return lines.join('\n') + '\n';
}

export async function writeCsv(path: string, rec: Pick<Recording, 't' | 'x' | 'y' | 'z' | 'labels'>, opts: CsvReadOptions = {}): Promise<void> {
  await writeFile(path, formatCsv(rec, opts));
}
