import { describe, expect, it } from 'vitest';
import { argmaxRows, HarScorer, scoreWindows } from '../../models/har/metrics.js';

const C = ['walking', 'upstairs', 'downstairs', 'sitting', 'standing', 'lying'];

describe('HAR metrics', () => {
  it('computes confusion, per-class precision/recall/F1, accuracy and macro-F1', () => {
    // walking: 3 windows, 2 right, 1 called sitting; sitting: 2 windows, 1 right, 1 called walking.
    const truths = ['walking', 'walking', 'walking', 'sitting', 'sitting', 'jumping'];
    const preds = [0, 0, 3, 3, 0, 5];
    const m = scoreWindows(C, truths, preds);
    expect(m.n).toBe(5); // 'jumping' is not scored
    expect(m.accuracy).toBeCloseTo(3 / 5, 9);
    expect(m.confusion[0]).toEqual([2, 0, 0, 1, 0, 0]);
    expect(m.confusion[3]).toEqual([1, 0, 0, 1, 0, 0]);
    expect(m.perClass.walking).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 });
    expect(m.perClass.sitting!.precision).toBeCloseTo(1 / 2, 9);
    expect(m.perClass.sitting!.recall).toBeCloseTo(1 / 2, 9);
    expect(m.perClass.lying).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(m.macroF1).toBeCloseTo((2 / 3 + 1 / 2) / 2, 9); // classes with support only
    expect(m.confusionRows).toBeUndefined();
  });

  it("counts 'stairs' as right for either stairs class, with its own row", () => {
    const s = new HarScorer(C);
    s.add('stairs', 'upstairs');
    s.add('stairs', 'downstairs');
    s.add('stairs', 'walking');
    s.add('upstairs', 'upstairs');
    expect(s.isCorrect('stairs', 'downstairs')).toBe(true);
    expect(s.isCorrect('stairs', 'walking')).toBe(false);
    const m = s.result();
    expect(m.n).toBe(4);
    expect(m.accuracy).toBeCloseTo(3 / 4, 9);
    expect(m.confusionRows).toEqual([...C, 'stairs']);
    expect(m.confusion[6]).toEqual([1, 1, 1, 0, 0, 0]);
    expect(m.perClass.stairs!.recall).toBeCloseTo(2 / 3, 9);
    expect(m.perClass.upstairs!.precision).toBe(1); // both upstairs predictions were right
    expect(m.perClass.walking!.precision).toBe(0);
  });

  it('rejects unknown predictions and mismatched lengths; argmax picks the first maximum', () => {
    expect(() => new HarScorer(C).add('walking', 'running')).toThrow(/unknown predicted class/);
    expect(() => scoreWindows(C, ['walking'], [])).toThrow(/1 truths but 0 predictions/);
    expect(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.5, 0], 3)).toEqual([1, 0]);
  });
});
