// The live heap: old-generation bytes in use right after the latest full (mark-compact) GC.
// heap_used sampled at arbitrary moments mixes in however much garbage has piled up since the
// last full GC (100-300 MB at 500 phones), so its minima drift with GC timing; read straight
// after a full GC, it is what the program actually holds — the number a leak makes grow.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/** Spaces of the young generation: their contents after a full GC are still mostly garbage-to-be. */
const YOUNG = new Set(['new_space', 'new_large_object_space']);

/** Bytes used in the old generation (old, code and large-object spaces) now. */
export function oldGenerationUsed(): number {
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (!YOUNG.has(s.space_name)) used += s.space_used_size;
  return used;
}

export class LiveHeap {
  /** Old-generation bytes after the latest full GC; undefined until one has run. */
  bytes: number | undefined;
  private readonly observer: PerformanceObserver;

  constructor() {
    // GC entries reach observers a moment after the GC: the old generation has barely changed
    // by then (only scavenges promote into it).
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
          this.bytes = oldGenerationUsed();
          return;
        }
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  close(): void {
    this.observer.disconnect();
  }
}
