// The image worker thread runs at a lower priority than the rest of the server (Linux: per-thread
// nice), so a flood of image requests takes the cores from phones and typists last.
import { describe, expect, it } from 'vitest';
import { ImageModelCache } from '../../server/images/model-cache.js';
import { IMAGE_WORKER_NICE } from '../../server/images/image-worker-messages.js';
import { mainThreadNice, nicesOfNewThreads } from '../helpers/thread-nices.js';

const mainNice = mainThreadNice();

// (A test run already niced to 10 or more cannot show the difference.)
describe.runIf(process.platform === 'linux' && mainNice < IMAGE_WORKER_NICE)('image worker priority', () => {
  it('the worker thread runs at IMAGE_WORKER_NICE, the main thread keeps its priority', async () => {
    const cache = new ImageModelCache();
    try {
      const nices = await nicesOfNewThreads(() => cache.run('convolve', { image: [[1]], weights: [[1]], opts: {} })); // starts the worker
      expect(nices.added.filter((n) => n === IMAGE_WORKER_NICE)).toHaveLength(1);
      expect(nices.main).toBe(mainNice);
    } finally {
      await cache.dispose();
    }
  }, 60_000);
});
