// How far the JavaScript heap may grow after a full garbage collection before the next one
// starts. Left to V8, the server's limit sat at 1.3x its ~77 MB live heap (--trace-gc), so while
// clients sent frames that are decoded and thrown away (hostile ones, or many honest ones)
// incremental marking ran back to back on the event loop: a full collection every 0.3-0.5 s, each
// with 20-45 ms of marking steps between the socket callbacks, and every connection's p99 latency
// doubled. `npm run bench -- fuzz --attacks device`, neighbours' p99 against the calm phase and
// full collections in the minute: V8's choice 2.0x and ~130; 100% 1.05x and 3; 50% 1.14x and 6.
// 100% also let the heap hold twice its live size in garbage after the attack (RSS +157 MB over
// the full fuzz run, against +59 MB): 50% is the default.
import { setFlagsFromString } from 'node:v8';

/** Sets V8's heap growing factor to 1 + percent/100 for this process; 0 leaves V8's dynamic choice. */
export function setHeapGrowing(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growing percent must be a whole number >= 0 (got ${percent})`);
  // V8 reads the flag each time it recomputes the heap limits (after every collection), so setting it at run time works.
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
