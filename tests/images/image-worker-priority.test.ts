// The image worker thread runs at a lower priority than the rest of the server (Linux: per-thread
// nice), so a flood of image requests takes the cores from phones and typists last.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImageModelCache } from '../../server/images/model-cache.js';
import { IMAGE_WORKER_NICE } from '../../server/images/image-worker-messages.js';

/** Nice value of each thread of this process, by thread id (field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): Map<string, number> {
  return new Map(
    readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    }),
  );
}

const mainNice = process.platform === 'linux' ? (threadNices().get(String(process.pid)) ?? 0) : 0;

// (A test run already niced to 10 or more cannot show the difference.)
describe.runIf(process.platform === 'linux' && mainNice < IMAGE_WORKER_NICE)('image worker priority', () => {
  it('the worker thread runs at IMAGE_WORKER_NICE, the main thread keeps its priority', async () => {
    const before = threadNices();
    const cache = new ImageModelCache();
    try {
      await cache.run('convolve', { image: [[1]], weights: [[1]], opts: {} }); // starts the worker
      const after = threadNices();
      const newThreads = [...after].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
      expect(newThreads.filter((n) => n === IMAGE_WORKER_NICE)).toHaveLength(1);
      expect(after.get(String(process.pid))).toBe(mainNice);
    } finally {
      await cache.dispose();
    }
  }, 60_000);
});
