// The JavaScript heap's policy of a server process, set once at its start (npm start and the
// load-test servers alike): how far the heap may grow between full collections, and how often they
// compact it.
import type { ServerConfig } from './config/schema.js';
import { compactHeapEvery } from './heap-compaction.js';
import { setHeapGrowing } from './heap-growing.js';

export function applyHeapPolicy(config: Pick<ServerConfig, 'heapGrowingPercent' | 'heapCompactSeconds'>): void {
  setHeapGrowing(config.heapGrowingPercent);
  compactHeapEvery(config.heapCompactSeconds);
}
