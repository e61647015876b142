// The recording readers: HAPT-layout folders and csv sessions, both returning Recording[] in g.
export { readHapt, HAPT_RATE_HZ, type HaptReadOptions } from './hapt.js';
export { readCsv, readCsvFile, parseCsv, formatCsv, writeCsv, estimateRateHz, CSV_COLUMNS, type CsvReadOptions } from './csv.js';
export { DataFormatError, parseHarLabel, type HarLabel, type Recording } from './recording.js';
export { readSensoriumRecordings, parseSensoriumRecording } from './sensorium-recording.js';
export { readWisdm2019, parseWisdm2019, WISDM_LABELS } from './wisdm2019.js';
export { readMobiFall, parseMobiFall, MOBIFALL_LABELS } from './mobifall.js';
export { readSensorLoggerCsv, parseSensorLoggerCsv } from './sensor-logger-csv.js';
export { readPhyphoxCsv, parsePhyphoxCsv } from './phyphox-csv.js';

import type { Units } from '../../protocol/sensor-messages.js';
import { readCsv } from './csv.js';
import { readHapt } from './hapt.js';
import { readMobiFall } from './mobifall.js';
import { readPhyphoxCsv } from './phyphox-csv.js';
import { readSensorLoggerCsv } from './sensor-logger-csv.js';
import type { Recording } from './recording.js';
import { readSensoriumRecordings } from './sensorium-recording.js';
import { readWisdm2019 } from './wisdm2019.js';

/**
 * hapt: HAPT RawData folders; csv: timestamp_ms,x,y,z[,label]; recording: the server's own
 * recordings (--record); wisdm2019, mobifall: those data sets' native files (gzip or plain);
 * sensor-logger, phyphox: those apps' CSV exports (m/s², read into g).
 */
export const RECORDING_FORMATS = ['hapt', 'csv', 'recording', 'wisdm2019', 'mobifall', 'sensor-logger', 'phyphox'] as const;
/** Formats whose recordings carry subject ids (--users applies). */
export const FORMATS_WITH_USERS: readonly RecordingFormat[] = ['hapt', 'wisdm2019', 'mobifall'];
export type RecordingFormat = (typeof RECORDING_FORMATS)[number];

/** One entry point for CLIs: `--format hapt|csv|recording|wisdm2019|mobifall|sensor-logger|phyphox --data PATH [--units] [--users]`. */
export async function readRecordings(format: RecordingFormat, path: string, opts: { units?: Units; users?: readonly number[] } = {}): Promise<Recording[]> {
  if (format === 'hapt') {
    if (opts.units && opts.units !== 'g') throw new Error('hapt data is in g; --units does not apply to it');
    return readHapt(path, { users: opts.users });
  }
  if (format === 'wisdm2019' || format === 'mobifall') {
    if (opts.units && opts.units !== 'm/s2') throw new Error(`${format} data is in m/s² (the reader converts it to g); --units does not apply to it`);
    return format === 'wisdm2019' ? readWisdm2019(path, { users: opts.users }) : readMobiFall(path, { users: opts.users });
  }
  if (opts.users) throw new Error(`--users applies to ${FORMATS_WITH_USERS.join(', ')} data only (${format} files have no subject ids)`);
  if (format === 'sensor-logger' || format === 'phyphox') {
    if (opts.units) throw new Error(`${format} exports say their units (m/s², read into g); --units does not apply to them`);
    return format === 'sensor-logger' ? readSensorLoggerCsv(path) : readPhyphoxCsv(path);
  }
  if (format === 'recording') {
    if (opts.units) throw new Error('recordings name their units in their header; --units does not apply to them');
    return readSensoriumRecordings(path);
  }
  return readCsv(path, { units: opts.units });
}
