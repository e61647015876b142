import { describe, expect, it } from 'vitest';
import { OverloadedError } from '../../server/batching/dynamic-batcher.js';
import { classifyWindows } from '../../server/pipeline/classify-windows.js';
import { makeSmoother, smoothProbabilities } from '../../server/pipeline/smooth-probabilities.js';
import type { ClassifiedWindow, SensorWindow } from '../../server/pipeline/types.js';
import { harness } from './helpers.js';

const win = (id: number, restart = false): SensorWindow => ({ data: Float32Array.of(id), endT: id, receivedAt: id, restart });
const settle = () => new Promise((r) => setTimeout(r, 5));

describe('classifyWindows', () => {
  it('keeps window order when results resolve in submission order and drops failed windows', async () => {
    const failures: number[] = [];
    const classify = async (data: Float32Array) => {
      await Promise.resolve();
      if (data[0] === 2) throw new OverloadedError(9, 9);
      return Float32Array.of(data[0]! * 10);
    };
    const h = harness(classifyWindows(classify, (_err, w) => failures.push(w.endT)));
    h.push(win(1, true), win(2), win(3));
    await settle();
    expect(h.out.map((w) => [w.endT, w.probs[0], w.restart])).toEqual([
      [1, 10, true],
      [3, 30, false],
    ]);
    expect(failures).toEqual([2]);
  });

  it('passes the restart flag of a dropped window on to the next one', async () => {
    const h = harness(
      classifyWindows(
        async (d) => (d[0] === 5 ? Promise.reject(new Error('batch failed')) : Float32Array.of(1)),
        () => {},
      ),
    );
    h.push(win(4), win(5, true), win(6));
    await settle();
    expect(h.out.map((w) => [w.endT, w.restart])).toEqual([
      [4, false],
      [6, true],
    ]);
  });
});

describe('smoothing', () => {
  const p = (...v: number[]) => Float32Array.from(v);

  it('ema mixes each new vector with the previous state and resets on restart', () => {
    const s = makeSmoother({ kind: 'ema', alpha: 0.5 });
    expect(Array.from(s(p(1, 0), true))).toEqual([1, 0]);
    expect(Array.from(s(p(0, 1), false))).toEqual([0.5, 0.5]);
    expect(Array.from(s(p(0, 1), false))).toEqual([0.25, 0.75]);
    expect(Array.from(s(p(1, 0), true))).toEqual([1, 0]);
  });

  it('mean averages the last k vectors', () => {
    const s = makeSmoother({ kind: 'mean', k: 2 });
    expect(Array.from(s(p(1, 0), false))).toEqual([1, 0]);
    expect(Array.from(s(p(0, 1), false))).toEqual([0.5, 0.5]);
    expect(Array.from(s(p(0, 1), false))).toEqual([0, 1]);
    expect(Array.from(s(p(1, 0), true))).toEqual([1, 0]);
  });

  it('none passes probabilities through; the operator keeps raw probs beside the smoothed ones', () => {
    expect(Array.from(makeSmoother({ kind: 'none' })(p(0.3, 0.7), false))).toEqual([expect.closeTo(0.3), expect.closeTo(0.7)]);
    const h = harness(smoothProbabilities({ kind: 'ema', alpha: 0.5 }));
    const w = (probs: Float32Array, restart: boolean): ClassifiedWindow => ({ ...win(0, restart), probs });
    h.push(w(p(1, 0), true), w(p(0, 1), false));
    expect(h.out.map((o) => [Array.from(o.probs), Array.from(o.smoothed)])).toEqual([
      [
        [1, 0],
        [1, 0],
      ],
      [
        [0, 1],
        [0.5, 0.5],
      ],
    ]);
  });
});
