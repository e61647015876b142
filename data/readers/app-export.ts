// What the readers of other apps' CSV exports (Sensor Logger, phyphox) share: parsing with
// csv-parse (quoted headers, any delimiter) into header-named rows, finding a column by name, and
// turning columns of numbers in m/s² (or g) into a Recording in g with the checks every reader
// makes (at least 2 samples, a believable rate, units and gravity that look right).
import { parse } from 'csv-parse/sync';
import type { Units } from '../../protocol/sensor-messages.js';
import { guessUnits, toGFactor } from '../signal/units.js';
import { estimateRateHz } from './csv.js';
import { DataFormatError, type HarLabel, type Recording } from './recording.js';

export interface CsvTable {
  header: string[];
  rows: string[][];
}

/** Parses csv text whose first record is the header; `delimiter` default: guessed from the header line. */
export function parseTable(text: string, source: string, delimiter?: string): CsvTable {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  const sep = delimiter ?? guessDelimiter(firstLine);
  let records: string[][];
  try {
    records = parse(body, { delimiter: sep, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new DataFormatError(source, `not readable as csv: ${(err as Error).message}`, line);
  }
  if (records.length === 0) throw new DataFormatError(source, 'empty file');
  return { header: records[0]!, rows: records.slice(1) };
}

/** The delimiter a header line uses: the most frequent of ',', ';' and tab outside quotes. */
export function guessDelimiter(headerLine: string): string {
  const bare = headerLine.replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((d) => [d, bare.split(d).length - 1] as const);
  return counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

/** Index of the first header cell matching `pattern`, or a DataFormatError naming what is missing. */
export function columnIndex(table: CsvTable, pattern: RegExp, what: string, source: string): number {
  const i = table.header.findIndex((h) => pattern.test(h));
  if (i < 0) throw new DataFormatError(source, `no ${what} column (header: ${table.header.join(', ').slice(0, 200)})`, 1);
  return i;
}

/** Column `index` of every row as numbers; `decimalComma` reads '0,5' as 0.5 (semicolon-separated exports). */
export function numberColumn(table: CsvTable, index: number, name: string, source: string, decimalComma = false): number[] {
  return table.rows.map((row, r) => {
    const cell = row[index] ?? '';
    const v = cell === '' ? NaN : Number(decimalComma ? cell.replace(',', '.') : cell);
    if (!Number.isFinite(v)) throw new DataFormatError(source, `${name} is not a number: '${cell.slice(0, 40)}'`, r + 2);
    return v;
  });
}

export interface AppExportColumns {
  id: string;
  source: string;
  /** Milliseconds. */
  t: ArrayLike<number>;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  z: ArrayLike<number>;
  units: Units;
  labels?: HarLabel[];
  /** Reader-specific things to tell the user. */
  warnings?: string[];
}

/** The Recording (in g, sorted by time) of an app's columns, with the usual checks. */
export function appExportRecording(c: AppExportColumns): Recording {
  const n = c.t.length;
  if (n < 2) throw new DataFormatError(c.source, `needs at least 2 samples, has ${n}`);
  const order = Array.from({ length: n }, (_, i) => i);
  const warnings = [...(c.warnings ?? [])];
  if (order.some((i) => i > 0 && c.t[i]! < c.t[i - 1]!)) {
    order.sort((a, b) => c.t[a]! - c.t[b]! || a - b);
    warnings.push('timestamps were not in order; rows were sorted by timestamp');
  }
  const f = toGFactor(c.units);
  const rec: Recording = {
    id: c.id,
    t: Float64Array.from(order, (i) => c.t[i]!),
    x: Float32Array.from(order, (i) => c.x[i]! * f),
    y: Float32Array.from(order, (i) => c.y[i]! * f),
    z: Float32Array.from(order, (i) => c.z[i]! * f),
    labels: order.map((i) => c.labels?.[i]),
    source: c.source,
  };
  const rate = estimateRateHz(rec.t);
  if (rate === undefined) throw new DataFormatError(c.source, 'all timestamps are equal: cannot tell the sample rate');
  if (rate < 10 || rate > 200) warnings.push(`sample rate ${rate.toFixed(1)} Hz is outside the supported 10-200 Hz`);
  rec.rateHz = rate;
  if (guessUnits(rec.x, rec.y, rec.z) !== 'g') warnings.push(`mean |a| is not about 1 g after reading as ${c.units}: gravity removed, or other units than the header says?`);
  if (warnings.length) rec.warnings = warnings;
  return rec;
}
