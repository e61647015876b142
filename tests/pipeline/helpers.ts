// Small builders shared by the pipeline stage tests.
import { Subject, type Observable, type OperatorFunction } from 'rxjs';
import type { ResampledChunk, TimedFrame } from '../../server/pipeline/types.js';

export function frame(seq: number, t: number[], opts: { x?: number[]; labels?: (string | undefined)[]; receivedAt?: number } = {}): TimedFrame {
  const x = opts.x ?? t.map((_, i) => i);
  const f: TimedFrame = {
    seq,
    t: Float64Array.from(t),
    x: Float32Array.from(x),
    y: Float32Array.from(t.map(() => 0)),
    z: Float32Array.from(t.map(() => 1)),
    receivedAt: opts.receivedAt ?? seq,
  };
  if (opts.labels) f.labels = opts.labels;
  return f;
}

/** Uniform chunk of n samples starting at sample index `from` (x = index, y = -index, z = 1). */
export function chunk(from: number, n: number, opts: { gap?: boolean; labels?: (string | undefined)[]; stepMs?: number; receivedAt?: number } = {}): ResampledChunk {
  const idx = Array.from({ length: n }, (_, i) => from + i);
  const c: ResampledChunk = {
    t: Float64Array.from(idx.map((i) => i * (opts.stepMs ?? 20))),
    x: Float32Array.from(idx),
    y: Float32Array.from(idx.map((i) => -i)),
    z: Float32Array.from(idx.map(() => 1)),
    gap: opts.gap ?? false,
    receivedAt: opts.receivedAt ?? from,
  };
  if (opts.labels) c.labels = opts.labels;
  return c;
}

/** Runs an operator over pushed values and collects what comes out. */
export function harness<I, O>(op: OperatorFunction<I, O>) {
  const input = new Subject<I>();
  const out: O[] = [];
  let completed = false;
  let error: unknown;
  const output: Observable<O> = input.pipe(op);
  output.subscribe({ next: (v) => out.push(v), complete: () => (completed = true), error: (e) => (error = e) });
  return {
    push: (...values: I[]) => values.forEach((v) => input.next(v)),
    complete: () => input.complete(),
    out,
    get completed() {
      return completed;
    },
    get error() {
      return error;
    },
  };
}
