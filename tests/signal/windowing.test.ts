import { describe, expect, it } from 'vitest';
import { interleaveWindows, labelledWindows, labelRuns, nearestLabels, toUniformRate } from '../../data/signal/windowing.js';
import type { HarLabel } from '../../data/readers/recording.js';
import { convertToG, guessUnits, parseUnits } from '../../data/signal/units.js';

const at50 = (n: number, t0 = 0) => Float64Array.from({ length: n }, (_, i) => t0 + i * 20);

describe('labelRuns / labelledWindows', () => {
  it('keeps windows wholly inside one labelled run, from each run start, every hop', () => {
    const labels: HarLabel[] = [...Array(300).fill('walking'), ...Array(10).fill(undefined), ...Array(200).fill('sitting'), ...Array(100).fill('stairs')];
    const t = at50(labels.length);
    expect(labelRuns({ t, labels }, 50)).toEqual([
      { start: 0, end: 300, label: 'walking' },
      { start: 310, end: 510, label: 'sitting' },
      { start: 510, end: 610, label: 'stairs' },
    ]);
    const w = labelledWindows({ t, labels }, { size: 128, hop: 64, rateHz: 50 });
    expect(w).toEqual([
      { start: 0, label: 'walking' },
      { start: 64, label: 'walking' },
      { start: 128, label: 'walking' }, // 128 + 128 = 256 <= 300; 192 would overrun
      { start: 310, label: 'sitting' },
      { start: 374, label: 'sitting' },
    ]); // the 100-sample stairs run holds no window
  });

  it('does not window across a gap in the time grid', () => {
    const t = Float64Array.from([...at50(100), ...at50(100, 5000)]);
    const labels: HarLabel[] = Array(200).fill('lying');
    expect(labelRuns({ t, labels }, 50).map((r) => [r.start, r.end])).toEqual([
      [0, 100],
      [100, 200],
    ]);
    expect(labelledWindows({ t, labels }, { size: 128, hop: 64, rateHz: 50 })).toEqual([]);
  });
});

describe('toUniformRate / nearestLabels', () => {
  it('carries labels to the nearest resampled time', () => {
    expect(nearestLabels([0, 10, 20, 30], ['walking', 'walking', 'lying', 'lying'], [0, 14, 16, 30, 40])).toEqual(['walking', 'walking', 'lying', 'lying', 'lying']);
  });

  it('resamples a 100 Hz labelled recording to 50 Hz', () => {
    const n = 200;
    const t = Float64Array.from({ length: n }, (_, i) => i * 10);
    const x = Float32Array.from({ length: n }, (_, i) => i);
    const labels: HarLabel[] = Array.from({ length: n }, (_, i) => (i < 100 ? 'standing' : 'sitting'));
    const s = toUniformRate({ t, x, y: x, z: x, labels }, 50);
    expect(s.t.length).toBe(100);
    expect(s.x[10]).toBe(20);
    expect(s.labels[49]).toBe('standing');
    expect(s.labels[50]).toBe('sitting');
  });

  it('interleaves windows as [x, y, z] per sample', () => {
    const s = { t: at50(4), x: Float32Array.of(1, 2, 3, 4), y: Float32Array.of(5, 6, 7, 8), z: Float32Array.of(9, 10, 11, 12) };
    expect(Array.from(interleaveWindows(s, [1, 2], 2))).toEqual([2, 6, 10, 3, 7, 11, 3, 7, 11, 4, 8, 12]);
  });
});

describe('units', () => {
  it('parses, converts and guesses acceleration units', () => {
    expect(parseUnits('m/s²')).toBe('m/s2');
    expect(() => parseUnits('furlongs')).toThrow(/unknown acceleration units/);
    expect(Array.from(convertToG(Float32Array.of(9.80665, -19.6133), 'm/s2')).map((v) => +v.toFixed(5))).toEqual([1, -2]);
    expect(guessUnits([0, 0.1], [0, 0], [1, 0.98])).toBe('g');
    expect(guessUnits([0, 1], [0, 0], [9.8, 9.6])).toBe('m/s2');
    expect(guessUnits([0.01], [0], [0.02])).toBeUndefined();
  });
});
