// The browser client's DOM-free logic, in Node: text edits on the wire, word acceptance,
// bounded buffers, accuracy counting, phone frame batching and session resumption, MNIST-style
// preprocessing, and the recordings page's file summaries, formatting and replay commands.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PredictionHistory } from '../../client/src/charts/prediction-history.js';
import { SignalRing } from '../../client/src/charts/signal-ring.js';
import { ConfusionCounts } from '../../client/src/pages/dashboard/confusion.js';
import { toMnist } from '../../client/src/pages/lab/mnist-preprocess.js';
import { SampleBatcher } from '../../client/src/pages/phone/sample-batcher.js';
import { StreamSession } from '../../client/src/pages/phone/stream-session.js';
import { formatBytes, formatCount, formatDuration, formatLocalTime, shellQuote } from '../../client/src/pages/recordings/format.js';
import { summarizeRecording } from '../../client/src/pages/recordings/recording-summary.js';
import { recordingPath, replayCommands, replayDeviceId } from '../../client/src/pages/recordings/replay-commands.js';
import { acceptWord, replaceAutoSpace, TextSync } from '../../client/src/pages/typing/text-sync.js';
import type { RecordingLine } from '../../protocol/recording-format.js';
import { ACTIVITIES, DEFAULT_LIMITS, type PredictionMessage, type WelcomeMessage } from '../../protocol/sensor-messages.js';
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

describe('replaceAutoSpace', () => {
  it('lets a closing mark or a new line typed right after an accepted word take the place of its space', () => {
    expect(replaceAutoSpace('the whale ', 'the whale ,')).toBe('the whale,');
    expect(replaceAutoSpace('the whale ', 'the whale .')).toBe('the whale.');
    expect(replaceAutoSpace('the whale ', 'the whale \u2019')).toBe('the whale\u2019');
    expect(replaceAutoSpace('the whale ', 'the whale \n')).toBe('the whale\n');
  });

  it('keeps the space before a letter, an opening mark or a dash, and after anything but one character', () => {
    for (const typed of ['a', '(', '"', '-', ' ']) expect(replaceAutoSpace('the whale ', `the whale ${typed}`)).toBeUndefined();
    expect(replaceAutoSpace('the whale ', 'the whale a,')).toBeUndefined();
    expect(replaceAutoSpace('the whale ', 'the whal,')).toBeUndefined();
    expect(replaceAutoSpace('the whale', 'the whale,')).toBeUndefined();
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

describe('SampleBatcher across reconnects', () => {
  it('restarts seq at 0 for a new connection but keeps the samples read while offline', () => {
    const b = new SampleBatcher(2000, 100);
    b.add({ t: 0, x: 0, y: 0, z: 0 });
    expect(b.takeFrame()?.seq).toBe(0);
    for (let i = 1; i <= 4; i++) b.add({ t: i * 20, x: i, y: 0, z: 0 });
    b.restartSeq();
    const frame = b.takeFrame()!;
    expect(frame.seq).toBe(0);
    expect(Array.from(frame.x)).toEqual([1, 2, 3, 4]);
    b.add({ t: 100, x: 5, y: 0, z: 0 });
    b.reset();
    expect(b.takeFrame()).toBeUndefined();
  });
});

describe('StreamSession', () => {
  const base = { deviceId: 'p1', units: 'm/s2' as const, source: 'phone' as const };
  const welcome = (resumed?: boolean): WelcomeMessage => ({
    type: 'welcome',
    deviceId: 'p1',
    classes: [...ACTIVITIES],
    windowSize: 128,
    hop: 64,
    rateHz: 50,
    backend: 'wasm',
    limits: DEFAULT_LIMITS,
    ...(resumed ? { resumed } : {}),
  });
  const prediction = (windowEnd: number): PredictionMessage => ({ type: 'prediction', deviceId: 'p1', windowEnd, probs: [1, 0, 0, 0, 0, 0], label: 'walking', latencyMs: 3 });

  it('says which prediction it saw last and keeps the rate the session began with', () => {
    const s = new StreamSession();
    const first = s.hello(base, 60);
    expect(first).toEqual({ type: 'hello', ...base, rateHz: 60 });
    expect(s.isReconnect).toBe(false);
    expect(s.welcomed(welcome())).toBe('first');
    expect([1000, 2280, 2280, 1500, 3560].map((e) => s.accept(prediction(e)))).toEqual([true, true, false, false, true]);
    const again = s.hello(base, 50); // the measured rate changed meanwhile
    expect(again).toEqual({ type: 'hello', ...base, rateHz: 60, lastWindowEnd: 3560 });
    expect(s.isReconnect).toBe(true);
    expect(s.welcomed(welcome(true))).toBe('resumed');
    expect(s.resumes).toBe(1);
    expect(s.accept(prediction(3560))).toBe(false); // re-sent twice: shown once
    expect(s.accept(prediction(4840))).toBe(true);
  });

  it('forgets the old windows when the server starts a new session, and everything on Stop', () => {
    const s = new StreamSession();
    s.hello(base, 50);
    s.welcomed(welcome());
    s.accept(prediction(9000));
    s.hello(base, 50);
    expect(s.welcomed(welcome())).toBe('restarted');
    expect(s.lastWindowEnd).toBeUndefined();
    expect(s.accept(prediction(100))).toBe(true); // a new session's clock may be anywhere
    s.end();
    expect(s.hello(base, 25)).toEqual({ type: 'hello', ...base, rateHz: 25 });
    expect(s.isReconnect).toBe(false);
  });
});

describe('summarizeRecording', () => {
  const header: RecordingLine = { kind: 'header', format: 'sensorium-recording', version: 1, id: 'p1_x', deviceId: 'p1', rateHz: 50, units: 'g', startedAt: '2025-01-01T00:00:00.000Z' };
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  const frame = (seq: number, n: number, at: number, labels?: (string | null)[]): RecordingLine => ({
    kind: 'samples',
    seq,
    at,
    t: Array.from({ length: n }, (_, i) => seq * 100 + i),
    x: new Array<number>(n).fill(0),
    y: new Array<number>(n).fill(0),
    z: new Array<number>(n).fill(1),
    ...(labels ? { labels } : {}),
  });
  const text = (lines: RecordingLine[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

  it('counts frames, samples, resumes and the duration up to the end line', () => {
    const s = summarizeRecording(
      text([
        header,
        frame(0, 5, start + 100),
        { kind: 'resumed', at: start + 900 },
        frame(1, 7, start + 1000, [null, 'walking', null, null, null, null, null]),
        { kind: 'end', at: start + 65_000, frames: 2, samples: 12, reason: 'stopped over HTTP' },
      ]),
    );
    expect(s).toMatchObject({ deviceId: 'p1', frames: 2, samples: 12, resumes: 1, hasLabels: true, torn: false, durationMs: 65_000, end: { reason: 'stopped over HTTP' } });
  });

  it('skips a torn last line and ends at the last frame written; rejects other damage', () => {
    const torn = text([header, frame(0, 5, start + 100), frame(1, 5, start + 2500)]) + '{"kind":"samples","seq":2,"t":[1,';
    expect(summarizeRecording(torn)).toMatchObject({ frames: 2, samples: 10, torn: true, durationMs: 2500, hasLabels: false });
    expect(summarizeRecording(torn).end).toBeUndefined();
    expect(() => summarizeRecording(text([header]).replace('\n', '\n{oops\n') + JSON.stringify(frame(0, 1, start)))).toThrow(/line 2 is not JSON/);
    expect(() => summarizeRecording(text([frame(0, 1, start)]))).toThrow(/no header line/);
    expect(() => summarizeRecording('')).toThrow(/empty file/);
  });
});

describe('recordings page formatting and replay commands', () => {
  it('formats sizes, durations, counts and local times', () => {
    expect([0, 999, 1000, 26_040, 999_960, 12_500_000, 3.2e9].map(formatBytes)).toEqual(['0 B', '999 B', '1.0 kB', '26.0 kB', '1.0 MB', '12.5 MB', '3.2 GB']);
    expect([0, 999, 7_000, 754_000, 3_723_000, -1, NaN].map(formatDuration)).toEqual(['0:00', '0:00', '0:07', '12:34', '1:02:03', '—', '—']);
    expect([0, 999, 1000, 1234567].map(formatCount)).toEqual(['0', '999', '1,000', '1,234,567']);
    expect(formatLocalTime(new Date(2025, 0, 2, 3, 4, 5))).toBe('2025-01-02 03:04:05');
  });

  it('builds the replay commands for the file on the server, quoting what the shell would split', () => {
    expect(recordingPath('/srv/rec/', 'p1_2025-01-01T00-00-00.000Z')).toBe('/srv/rec/p1_2025-01-01T00-00-00.000Z.ndjson');
    expect(recordingPath(undefined, 'a')).toBe('recordings/a.ndjson');
    expect(recordingPath('C:\\data\\rec', 'a')).toBe('C:\\data\\rec\\a.ndjson');
    expect(shellQuote("/home/me/my recs/it's.ndjson")).toBe("'/home/me/my recs/it'\\''s.ndjson'");
    const c = replayCommands('/srv/rec/a.ndjson', 'ws://127.0.0.1:8080/ws/device');
    expect(c.score).toBe('npm run simulate -- replay --format recording --data /srv/rec/a.ndjson');
    expect(c.stream).toBe(`${c.score} --url ws://127.0.0.1:8080/ws/device --speed 1`);
    expect(replayCommands('/my recs/a.ndjson', 'ws://h/ws/device').score).toContain("--data '/my recs/a.ndjson'");
    expect(replayDeviceId('p1_2025')).toBe('replay-p1_2025');
    expect(replayDeviceId('x'.repeat(80))).toHaveLength(64);
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
