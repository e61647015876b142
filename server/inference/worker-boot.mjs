// Entry of the inference worker thread. Workers do not inherit tsx's loader hooks, so when the
// server runs from TypeScript sources (tsx, vitest) this registers tsx before importing the real
// entry; a compiled build (.js entry) imports it directly.
import { workerData } from 'node:worker_threads';

const entry = workerData?.entry;
if (typeof entry !== 'string') throw new Error('worker-boot.mjs needs workerData.entry (the module to run)');
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
  // tsx turned source maps on again for this thread: off, unless asked for (see the file).
  // (A module is evaluated once per thread: the preload may have run already, before tsx.)
  const { leaveSourceMapsOff } = await import('../source-maps-off.mjs');
  leaveSourceMapsOff();
}
await import(entry);
