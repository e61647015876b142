// How far the JavaScript heap may grow after a full garbage collection before the next one
// starts. Left to V8, the server's limit sat at 1.3x its ~77 MB live heap (--trace-gc), so while
// clients sent frames that are decoded and thrown away (hostile ones, or many honest ones)
// incremental marking ran back to back on the event loop: a full collection every 0.3-0.5 s, each
// with 20-45 ms of marking steps between the socket callbacks, and every connection's p99 latency
// doubled (`npm run bench -- fuzz --attacks device`: neighbours' p99 2.0x calm with V8's choice,
// 1.05x at 100%, 3 full collections in the minute instead of ~130). A fixed factor trades some
// memory (the limit at twice the live heap) for collections seconds apart.
import { setFlagsFromString } from 'node:v8';

/** Sets V8's heap growing factor to 1 + percent/100 for this process; 0 leaves V8's dynamic choice. */
export function setHeapGrowing(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growing percent must be a whole number >= 0 (got ${percent})`);
  // V8 reads the flag each time it recomputes the heap limits (after every collection), so setting it at run time works.
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
