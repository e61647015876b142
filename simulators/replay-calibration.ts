// `replay --calibrate SECONDS`: a replayed device teaches the server its activities the way the
// phone page does — calibration `start`, the first SECONDS of each label sent with their labels
// (every other sample unlabelled, so only those are collected), `personalise` right after the last
// of them — and is then scored on the windows that follow. The labels ride on the ordinary
// ground-truth path; scoring stays client-side, from the recording.
import type { Recording } from '../data/readers/recording.js';

export interface CalibrationPlan {
  /** 1 for samples sent with their label (the first SECONDS of each label, in time order). */
  labelled: Uint8Array;
  /** Index one past the last calibration sample (personalise once it has been sent); 0 when none. */
  end: number;
  /** Calibration seconds per label actually available. */
  seconds: Record<string, number>;
}

/**
 * Marks the first `seconds` of each label of a recording that the model has a class for ('stairs'
 * when it has a stairs class), as eval --personalize does; time is measured from sample spacing.
 */
export function planCalibration(rec: Pick<Recording, 't' | 'labels'>, seconds: number, classes: readonly string[]): CalibrationPlan {
  const teachable = (l: string) => classes.includes(l) || (l === 'stairs' && (classes.includes('upstairs') || classes.includes('downstairs')));
  const n = rec.t.length;
  const labelled = new Uint8Array(n);
  const usedMs = new Map<string, number>();
  const typical = n > 1 ? (rec.t[n - 1]! - rec.t[0]!) / (n - 1) : 20;
  let end = 0;
  for (let i = 0; i < n; i++) {
    const label = rec.labels[i];
    if (label === undefined || !teachable(label)) continue;
    // A sample stands for the time to the next one (capped: pauses do not count).
    const dt = i + 1 < n ? Math.min(rec.t[i + 1]! - rec.t[i]!, 4 * typical) : typical;
    const used = usedMs.get(label) ?? 0;
    if (used >= seconds * 1000) continue;
    usedMs.set(label, used + dt);
    labelled[i] = 1;
    end = i + 1;
  }
  return { labelled, end, seconds: Object.fromEntries([...usedMs].map(([l, ms]) => [l, Math.round(ms / 100) / 10])) };
}

/** The labels of samples [from, to) as sent: calibration samples keep theirs, others go unlabelled. */
export function calibrationLabels(rec: Pick<Recording, 'labels'>, plan: CalibrationPlan, from: number, to: number): string[] {
  const out = new Array<string>(to - from);
  for (let i = from; i < to; i++) out[i - from] = plan.labelled[i] ? (rec.labels[i] ?? '') : '';
  return out;
}
