// The text models' step worker runs at a lower priority than the event loop (Linux: per-thread
// nice): a step posted to it must not take the core from the thread that reads every socket.
import { describe, expect, it } from 'vitest';
import { StepWorker } from '../../server/text/worker-stepper.js';
import { TEXT_WORKER_NICE } from '../../server/text/step-worker-messages.js';
import { mainThreadNice, nicesOfNewThreads } from '../helpers/thread-nices.js';

const mainNice = mainThreadNice();

// (A test run already niced to 10 or more cannot show the difference.)
describe.runIf(process.platform === 'linux' && mainNice < TEXT_WORKER_NICE)('step worker priority', () => {
  it('the worker thread runs at TEXT_WORKER_NICE, the main thread keeps its priority', async () => {
    const host = new StepWorker({ backend: 'wasm' });
    try {
      // A load that fails still starts the worker, and is answered by it.
      const nices = await nicesOfNewThreads(() => expect(host.load('no-such-model-here')).rejects.toThrow());
      expect(nices.added.filter((n) => n === TEXT_WORKER_NICE)).toHaveLength(1);
      expect(nices.main).toBe(mainNice);
    } finally {
      await host.dispose();
    }
  }, 60_000);
});
