// The recording readers: HAPT-layout folders and csv sessions, both returning Recording[] in g.
export { readHapt, HAPT_RATE_HZ, type HaptReadOptions } from './hapt.js';
export { readCsv, readCsvFile, parseCsv, formatCsv, writeCsv, estimateRateHz, CSV_COLUMNS, type CsvReadOptions } from './csv.js';
export { DataFormatError, parseHarLabel, type HarLabel, type Recording } from './recording.js';
export { readSensoriumRecordings, parseSensoriumRecording } from './sensorium-recording.js';

import type { Units } from '../../protocol/sensor-messages.js';
import { readCsv } from './csv.js';
import { readHapt } from './hapt.js';
import type { Recording } from './recording.js';
import { readSensoriumRecordings } from './sensorium-recording.js';

/** hapt: HAPT RawData folders; csv: timestamp_ms,x,y,z[,label]; recording: the server's own recordings (--record). */
export const RECORDING_FORMATS = ['hapt', 'csv', 'recording'] as const;
export type RecordingFormat = (typeof RECORDING_FORMATS)[number];

/** One entry point for CLIs: `--format hapt|csv --data PATH [--units] [--users]`. */
export async function readRecordings(
  format: RecordingFormat,
  path: string,
  opts: { units?: Units; users?: readonly number[] } = {},
): Promise<Recording[]> {
  if (format === 'hapt') {
    if (opts.units && opts.units !== 'g') throw new Error('hapt data is in g; --units does not apply to it');
    return readHapt(path, { users: opts.users });
  }
  if (opts.users) throw new Error('--users applies to hapt data only (csv files have no subject ids)');
  if (format === 'recording') {
    if (opts.units) throw new Error('recordings name their units in their header; --units does not apply to them');
    return readSensoriumRecordings(path);
  }
  return readCsv(path, { units: opts.units });
}
