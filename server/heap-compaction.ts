// Compacts the JavaScript heaps now and then. Without V8's --optimize-for-size (see process-flags.ts)
// a full garbage collection compacts only the pages V8's heuristics pick, so under hostile traffic the
// main thread's old generation kept its half-empty pages: 71 -> 114-118 MB reserved over a fuzz run for
// 76-93 MB in use. Compacting at every full collection costs each of them a longer pause; once a
// minute costs one. So every `seconds`, the next two full collections compact every page they can
// (V8's --compact-on-every-full-gc, a process-wide flag that V8 reads at each collection: worker
// threads collecting meanwhile compact too), then the flag is off again. Two, because a collection
// whose marking had already started when the flag went on decided on compaction before it.
// `npm run bench -- fuzz`: main heap 82-104 MB reserved at the end in three runs, against 114-115 in
// two without, and the phones' hostile p99 13.8-14.6 ms, against 13.5-14.4 (server/README.md, Operations).
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';

/** Full collections that compact after each period. */
const COLLECTIONS_PER_PERIOD = 2;

/** Starts the periodic compaction (0: never); returns the function that stops it. */
export function compactHeapEvery(seconds: number): () => void {
  if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError(`heap compaction period must be a whole number of seconds >= 0 (got ${seconds})`);
  if (seconds === 0) return () => {};
  let left = 0;
  const setCompacting = (on: boolean) => setFlagsFromString(on ? '--compact-on-every-full-gc' : '--no-compact-on-every-full-gc');
  // Subscribed only while armed: between periods no GC entry is handed to JavaScript.
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      left -= 1;
      if (left === 0) {
        setCompacting(false);
        observer.disconnect();
        break;
      }
    }
  });
  const timer = setInterval(() => {
    if (left === 0) {
      setCompacting(true);
      observer.observe({ entryTypes: ['gc'] });
    }
    left = COLLECTIONS_PER_PERIOD;
  }, seconds * 1000).unref();
  return () => {
    clearInterval(timer);
    observer.disconnect();
    if (left > 0) setCompacting(false);
    left = 0;
  };
}
