// The browser client's DOM-free logic, in Node: text edits on the wire, word acceptance,
// bounded buffers, accuracy counting, phone frame batching and MNIST-style preprocessing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PredictionHistory } from '../../client/src/charts/prediction-history.js';
import { SignalRing } from '../../client/src/charts/signal-ring.js';
import { ConfusionCounts } from '../../client/src/pages/dashboard/confusion.js';
import { toMnist } from '../../client/src/pages/lab/mnist-preprocess.js';
import { SampleBatcher } from '../../client/src/pages/phone/sample-batcher.js';
import { acceptWord, TextSync } from '../../client/src/pages/typing/text-sync.js';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import type { EditMessage } from '../../protocol/text-messages.js';

/** What the server's session text becomes after an edit (protocol/text-messages.ts semantics). */
function applyEdit(text: string, e: EditMessage): string {
  const base = e.reset ? '' : text.slice(0, text.length - (e.delete ?? 0));
  return base + (e.insert ?? '');
}

describe('TextSync', () => {
  it('keeps the server text equal to the target through any sequence of texts', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 60 }), { minLength: 1, maxLength: 25 }), (texts) => {
        const sync = new TextSync();
        let server = '';
        let lastSeq = -1;
        for (const t of texts) {
          const edit = sync.editTo(t, 0);
          if (edit === undefined) {
            expect(t).toBe(server);
            continue;
          }
          expect(edit.seq).toBeGreaterThan(lastSeq);
          lastSeq = edit.seq;
          server = applyEdit(server, edit);
          expect(server).toBe(t);
        }
      }),
    );
  });

  it('sends only the changed tail for typing and backspace, and a reset for far edits', () => {
    const sync = new TextSync();
    expect(sync.editTo('hello', 0)).toMatchObject({ reset: true, insert: 'hello' });
    expect(sync.editTo('hello wor', 0)).toEqual({ type: 'edit', seq: 1, insert: ' wor', sentAt: 0 });
    expect(sync.editTo('hello wo', 0)).toEqual({ type: 'edit', seq: 2, delete: 1, sentAt: 0 });
    expect(sync.editTo('hello wo', 0)).toBeUndefined();
    const long = 'x'.repeat(300);
    sync.editTo(long, 0);
    expect(sync.editTo('y', 0)).toMatchObject({ reset: true, insert: 'y' });
  });
});

describe('acceptWord', () => {
  it('completes the typed prefix keeping its case, then adds a space', () => {
    expect(acceptWord('The wha', 'wha', 'whale')).toBe('The whale ');
    expect(acceptWord('The Wha', 'wha', 'whale')).toBe('The Whale ');
    expect(acceptWord('the ', '', 'sea')).toBe('the sea ');
    expect(acceptWord('the end.', '', 'then')).toBe('the end. then ');
    expect(acceptWord('', '', 'call')).toBe('call ');
  });
});

describe('SignalRing', () => {
  it('keeps the newest `capacity` samples in order', () => {
    const ring = new SignalRing(4);
    ring.push([1, 2, 3], [10, 20, 30], [0, 0, 0], [0, 0, 0]);
    ring.push([4, 5, 6], [40, 50, 60], [0, 0, 0], [0, 0, 0]);
    expect(ring.size).toBe(4);
    expect([0, 1, 2, 3].map((i) => ring.t[ring.index(i)])).toEqual([3, 4, 5, 6]);
    expect([0, 1, 2, 3].map((i) => ring.x[ring.index(i)])).toEqual([30, 40, 50, 60]);
    expect(ring.lastTime).toBe(6);
  });

  it('starts over when the device clock jumps back', () => {
    const ring = new SignalRing(10);
    ring.push([10_000, 10_020], [1, 1], [1, 1], [1, 1]);
    ring.push([0, 20], [2, 2], [2, 2], [2, 2]);
    expect(ring.size).toBe(2);
    expect(ring.t[ring.index(0)]).toBe(0);
  });
});

describe('PredictionHistory', () => {
  it('is bounded and remembers whether truth was seen', () => {
    const h = new PredictionHistory(ACTIVITIES, 3);
    for (let i = 0; i < 5; i++) h.add(i * 1000, 'walking', undefined);
    expect(h.size).toBe(3);
    expect(h.windowEnd[h.index(0)]).toBe(2000);
    expect(h.hasTruth).toBe(false);
    h.add(5000, 'sitting', 'standing');
    expect(h.hasTruth).toBe(true);
    expect(h.truth[h.index(2)]).toBe(ACTIVITIES.indexOf('standing'));
  });
});

describe('ConfusionCounts', () => {
  it('counts accuracy, treats stairs as up- or downstairs, ignores other truths', () => {
    const cm = new ConfusionCounts(ACTIVITIES);
    cm.add('walking', 'walking');
    cm.add('walking', 'sitting');
    cm.add('stairs', 'upstairs');
    cm.add('stairs', 'lying');
    cm.add('transition', 'lying');
    expect(cm.total).toBe(4);
    expect(cm.correct).toBe(2);
    expect(cm.accuracy).toBe(0.5);
    expect(cm.ignored).toBe(1);
    expect(cm.rowTotal(cm.truths.indexOf('stairs'))).toBe(2);
  });
});

describe('SampleBatcher', () => {
  it('cuts frames with increasing seq, non-decreasing t, at most maxSamplesPerFrame', () => {
    const b = new SampleBatcher(3, 100);
    for (let i = 0; i < 7; i++) b.add({ t: 1000 + (i === 4 ? -5 : i * 20), x: i, y: 0, z: 9.81 });
    const frames = [b.takeFrame(), b.takeFrame(), b.takeFrame(), b.takeFrame()];
    expect(frames.map((f) => f?.seq)).toEqual([0, 1, 2, undefined]);
    expect(frames.map((f) => f?.t.length)).toEqual([3, 3, 1, undefined]);
    const ts = frames.flatMap((f) => (f ? Array.from(f.t) : []));
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
    b.reset();
    b.add({ t: 2000, x: 0, y: 0, z: 0 });
    expect(b.takeFrame()?.seq).toBe(0);
  });

  it('drops the oldest samples beyond its buffer bound', () => {
    const b = new SampleBatcher(2000, 10);
    for (let i = 0; i < 25; i++) b.add({ t: i, x: i, y: 0, z: 0 });
    expect(b.buffered).toBe(10);
    expect(b.dropped).toBe(15);
    expect(b.takeFrame()?.x[0]).toBe(15);
  });
});

describe('toMnist', () => {
  it('crops, scales the ink to a 20-px box and centres its mass in 28×28', () => {
    const width = 200;
    const height = 200;
    const data = new Float32Array(width * height);
    // A filled rectangle in the top-left corner, 40 wide and 100 tall.
    for (let y = 10; y < 110; y++) for (let x = 5; x < 45; x++) data[y * width + x] = 1;
    const out = toMnist({ data, width, height })!;
    expect(out).toHaveLength(28 * 28);
    let mass = 0;
    let cx = 0;
    let cy = 0;
    let rows = 0;
    for (let y = 0; y < 28; y++) {
      let rowInk = false;
      for (let x = 0; x < 28; x++) {
        const v = out[y * 28 + x]!;
        mass += v;
        cx += v * x;
        cy += v * y;
        if (v > 0.5) rowInk = true;
      }
      if (rowInk) rows++;
    }
    expect(rows).toBe(20); // the long side becomes 20 px
    expect(cx / mass).toBeCloseTo(13.5, 0);
    expect(cy / mass).toBeCloseTo(13.5, 0);
    expect(toMnist({ data: new Float32Array(100), width: 10, height: 10 })).toBeUndefined();
  });
});
