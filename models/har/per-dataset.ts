// Validation figures per data set and placement: each data set's held-out windows scored with
// the placement its devices would announce (hapt: waist; wisdm2019, mobifall: pocket) and, for
// the same windows, with the placement unknown.
import type { HarClassifier } from './classifier.js';
import { predictClasses, subsetWindows, type EvalSet } from './evaluate.js';
import { scoreWindows, type HarMetrics } from './metrics.js';

/** Keys like 'wisdm2019 (pocket)' and 'wisdm2019 (unknown)'. */
export async function perDatasetMetrics(clf: HarClassifier, set: EvalSet, opts: { unknown?: boolean } = {}): Promise<Record<string, HarMetrics>> {
  const out: Record<string, HarMetrics> = {};
  const names = [...new Set(set.recordings.map((r) => r.dataset ?? 'other'))];
  for (const name of names) {
    const part = subsetWindows(set, (i) => (set.recordings[i]!.dataset ?? 'other') === name);
    const told = [...new Set(part.placements.map((p) => p ?? 'unknown'))].join('+');
    out[`${name} (${told})`] = scoreWindows(clf.classes, part.truths, await predictClasses(clf, part));
    if ((opts.unknown ?? true) && told !== 'unknown') {
      const blind = { ...part, placements: part.placements.map(() => undefined) };
      out[`${name} (unknown)`] = scoreWindows(clf.classes, part.truths, await predictClasses(clf, blind));
    }
  }
  return out;
}
