// Personal calibration on /ws/device ("Teach it your activities"): the device starts collecting,
// sends labelled `samples` frames (the ordinary ground-truth `labels` path, so a labelled replay
// works the same), asks to personalise, and may reset. The server answers each command with a
// `calibration-status`; predictions then say whether the personal head or the shared model made
// them (PredictionMessage.source).

/** device -> server. */
export interface CalibrationCommand {
  type: 'calibration';
  /**
   * start: forget earlier calibration windows and collect labelled windows from now on;
   * personalise: fit this device's personal head on what was collected;
   * reset: delete the personal head (back to the shared model); cancel: stop collecting.
   */
  action: CalibrationAction;
}

export const CALIBRATION_ACTIONS = ['start', 'personalise', 'reset', 'cancel'] as const;
export type CalibrationAction = (typeof CALIBRATION_ACTIONS)[number];

/** Why a calibration command did not give a personal head (nothing else changed). */
export type CalibrationErrorCode =
  | 'too-little-data' // a label with less than ~5 s (3 windows)
  | 'one-class' // fewer than two activities
  | 'unknown-label' // a label the model has no class for
  | 'bad-features' // the model's features do not fit the head (a bug or a swapped model)
  | 'not-collecting' // personalise without start
  | 'busy' // too many devices are being personalised at once
  | 'unavailable' // this server's model gives no features (no model, or a stand-in)
  | 'storage'; // the personal head could not be saved

/** server -> device: the device's calibration state, after every command and each collected window. */
export interface CalibrationStatusMessage {
  type: 'calibration-status';
  deviceId: string;
  /** idle: not collecting; collecting: labelled windows are kept; fitting: the head is being fitted. */
  state: 'idle' | 'collecting' | 'fitting';
  /** True when this device's predictions come from its personal head. */
  personal: boolean;
  /** Collected so far (while collecting): windows and about how many seconds, per label. */
  collected: Record<string, { windows: number; seconds: number }>;
  /** The personal head in use. */
  head?: { fittedAt: string; calibrated: string[]; windows: Record<string, number>; trainAccuracy: number };
  /**
   * The last fit's guard: shared and personal heads scored on calibration windows held out from
   * fitting, and the head kept ('shared': the personal head did no better there, so the device
   * keeps the shared model; personal is then false).
   */
  validation?: CalibrationValidation;
  /** Time the last fit took, ms (queueing included). */
  fitMs?: number;
  /** The command that failed, and why. */
  error?: { code: CalibrationErrorCode; message: string };
}

/** Label-balanced accuracy and log-loss on held-out calibration windows. */
export interface HeldOutScore {
  accuracy: number;
  logLoss: number;
}

/**
 * How a personal head compared with the shared one on calibration windows it was not fitted on
 * (each label's windows cut into time-contiguous blocks, each held out in turn).
 */
export interface CalibrationValidation {
  /** Held-out windows scored. */
  windows: number;
  folds: number;
  shared: HeldOutScore;
  /** The heads fitted without the held-out windows. */
  personal: HeldOutScore;
  /** At the chosen mixing weight. */
  mixed: HeldOutScore;
  /** Weight of the personal head in the kept one: 0 keeps the shared head, 1 the personal head. */
  mixing: number;
  kept: 'shared' | 'mixed' | 'personal';
}

/** Who made a prediction: the device's personal head or the shared model. */
export type PredictionSource = 'personal' | 'shared';

/** The action of a calibration command, or why it is not one. */
export function parseCalibrationCommand(value: unknown): { ok: true; action: CalibrationAction } | { ok: false; message: string } {
  const action = (value as { action?: unknown } | null)?.action;
  if (typeof action === 'string' && (CALIBRATION_ACTIONS as readonly string[]).includes(action)) return { ok: true, action: action as CalibrationAction };
  return { ok: false, message: `a calibration message needs "action": one of ${CALIBRATION_ACTIONS.join(', ')}` };
}
