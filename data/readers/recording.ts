// What every reader returns: one device session as columns, in g, with a label per sample.
import { ACTIVITY_NAMES, type ActivityName, type Placement } from '../../protocol/sensor-messages.js';

/**
 * A sample's ground truth: an activity class, 'stairs' (either stairs class counts as right), or
 * undefined (unlabelled, a transition, or a label we do not score).
 */
export type HarLabel = ActivityName | 'stairs' | undefined;

export interface Recording {
  /** Unique within one read, e.g. 'exp01_user01' or the csv file name. */
  id: string;
  /** Nominal rate when the format states it (hapt: 50), else estimated from timestamps. */
  rateHz?: number;
  /** Milliseconds, non-decreasing. */
  t: Float64Array;
  /** Acceleration in g (gravity included). */
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  labels: HarLabel[];
  /** Subject id when the format has one (hapt, wisdm2019, mobifall; unique within one data set only). */
  user?: number;
  /** Where the phone was carried, when the data set says (hapt: waist; wisdm2019, mobifall: pocket). */
  placement?: Placement;
  /** The data set's name when a reader knows it (hapt, wisdm2019, mobifall). */
  dataset?: string;
  /** Where the recording came from (file path). */
  source?: string;
  /** Things a user should know about this file (units look wrong, rows were reordered…). */
  warnings?: string[];
}

const ACTIVITY_SET: ReadonlySet<string> = new Set(ACTIVITY_NAMES);

/** Maps a free-form label to a HarLabel: class names and 'stairs' (any case), else undefined. */
export function parseHarLabel(raw: string | undefined): HarLabel {
  if (raw === undefined) return undefined;
  const v = raw.trim().toLowerCase();
  if (v === 'stairs') return 'stairs';
  return ACTIVITY_SET.has(v) ? (v as ActivityName) : undefined;
}

/** A reader error that names the file and, when it applies, the line. */
export class DataFormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${message}`);
    this.name = 'DataFormatError';
  }
}
