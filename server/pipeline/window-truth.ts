// The ground truth of a window: its majority label, if that label covers at least
// `minAgreement` of the window's samples. Windows that mix activities (or hold many samples of
// ignored labels such as postural transitions) get no truth, so they don't count for accuracy.
import { ACTIVITY_NAMES } from '../../protocol/sensor-messages.js';

/** Labels that can be truth: the activities, and 'stairs' (datasets that don't tell up from down). */
export const TRUTH_LABELS: readonly string[] = [...ACTIVITY_NAMES, 'stairs'];
const INDEX = new Map(TRUTH_LABELS.map((l, i) => [l, i]));

export function windowTruth(labels: ArrayLike<string | undefined>, length: number, minAgreement: number): string | undefined {
  const counts = new Int32Array(TRUTH_LABELS.length);
  for (let i = 0; i < length; i++) {
    const label = labels[i];
    const k = label === undefined ? undefined : INDEX.get(label);
    if (k !== undefined) counts[k]!++;
  }
  let best = 0;
  for (let k = 1; k < counts.length; k++) if (counts[k]! > counts[best]!) best = k;
  return length > 0 && counts[best]! > 0 && counts[best]! >= minAgreement * length ? TRUTH_LABELS[best] : undefined;
}
