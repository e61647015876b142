// What a load test reads from the server under test, at one moment: cumulative counters that
// two snapshots turn into rates over the measured interval, and the process's memory and CPU.
import { getHeapSpaceStatistics } from 'node:v8';
import type { SensoriumServer, ServerThread } from '../server/app.js';
import type { ThreadMemory } from '../models/runtime/thread-memory.js';

export interface ServerSnapshot {
  /** performance.now() of the server process (only differences between snapshots matter). */
  at: number;
  rssMb: number;
  /** What the RSS is made of, as far as V8 knows: JS heap in use, heap reserved, memory outside the heap (buffers, wasm). */
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Reserved size of each V8 heap space (new_space, old_space, code_space…), MB. */
  heapSpacesMb: Record<string, number>;
  /** Each thread's tensors, V8 heap and WASM memory (bytes), when the server process was asked over IPC (server-child.ts). */
  threads?: Partial<Record<ServerThread, ThreadMemory>>;
  /** CPU time the server process used so far, ms (user + system). */
  cpuMs: number;
  batches: number;
  /** Windows that went through the model. */
  windows: number;
  overloaded: number;
  queueDepth: number;
  predictions: number;
  errors: Record<string, number>;
  /** Mean model run time per batch, ms (recent batches). */
  runMsMean: number;
  backend: string;
}

export function takeSnapshot(server: SensoriumServer): ServerSnapshot {
  const b = server.parts.inference.stats();
  const totals = server.parts.stats.totals();
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    at: performance.now(),
    rssMb: mem.rss / 2 ** 20,
    heapUsedMb: mem.heapUsed / 2 ** 20,
    heapTotalMb: mem.heapTotal / 2 ** 20,
    externalMb: mem.external / 2 ** 20,
    heapSpacesMb: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size / 2 ** 20])),
    cpuMs: (cpu.user + cpu.system) / 1000,
    batches: b.batches,
    windows: b.completed + b.failed,
    overloaded: b.overloaded,
    queueDepth: b.queueDepth,
    predictions: totals.predictions,
    errors: totals.errors,
    runMsMean: b.runMs.mean,
    backend: server.parts.backend,
  };
}

/** Rates between two snapshots of the same server. */
export function snapshotDelta(a: ServerSnapshot, b: ServerSnapshot): { seconds: number; windowsPerSec: number; meanBatch: number; cpuShare: number; overloaded: number } {
  const seconds = (b.at - a.at) / 1000;
  const batches = b.batches - a.batches;
  const windows = b.windows - a.windows;
  return {
    seconds,
    windowsPerSec: seconds > 0 ? windows / seconds : 0,
    meanBatch: batches > 0 ? windows / batches : 0,
    /** Share of one core the server used. */
    cpuShare: seconds > 0 ? (b.cpuMs - a.cpuMs) / 1000 / seconds : 0,
    overloaded: b.overloaded - a.overloaded,
  };
}
