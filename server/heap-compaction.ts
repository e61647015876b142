// Compacts the JavaScript heaps now and then. Without V8's --optimize-for-size (see process-flags.ts)
// a full garbage collection compacts only the pages V8's heuristics pick, so under hostile traffic the
// main thread's old generation kept its half-empty pages: 71 -> 114-118 MB reserved over a fuzz run for
// 76-93 MB in use. Compacting at every full collection costs each of them a longer pause (34-42 ms
// on the main thread under the fuzz's hostile mix, against 3-11 ms; --trace-gc); once a minute costs
// one. So every `seconds`, the next full collection compacts every page it can (V8's
// --compact-on-every-full-gc, a process-wide flag that V8 reads at each collection: worker threads
// collecting meanwhile compact too), then the flag is off again. One collection, not two: the second
// paid the same pause for a heap just compacted. V8 picks the pages to move when marking starts, so
// a collection already marking when the flag went on (under that mix, marking ran 30-80 ms of every
// 1-7 s) compacts by V8's own choice, and the next period makes up for it.
// `npm run bench -- fuzz`: main heap 82-104 MB reserved at the end in three runs, against 114-115 in
// two without (server/README.md, Operations).
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';

/** Starts the periodic compaction (0: never); returns the function that stops it. */
export function compactHeapEvery(seconds: number): () => void {
  if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError(`heap compaction period must be a whole number of seconds >= 0 (got ${seconds})`);
  if (seconds === 0) return () => {};
  let armed = false;
  const setCompacting = (on: boolean) => setFlagsFromString(on ? '--compact-on-every-full-gc' : '--no-compact-on-every-full-gc');
  // Subscribed only while armed: between periods no GC entry is handed to JavaScript.
  const disarm = () => {
    setCompacting(false);
    observer.disconnect();
    armed = false;
  };
  const observer = new PerformanceObserver((list) => {
    if (list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) disarm();
  });
  const timer = setInterval(() => {
    if (armed) return; // no full collection in a whole period: still waiting for one
    setCompacting(true);
    observer.observe({ entryTypes: ['gc'] });
    armed = true;
  }, seconds * 1000).unref();
  return () => {
    clearInterval(timer);
    if (armed) disarm();
  };
}
