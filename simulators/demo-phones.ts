// A few synthetic phones for `npm start` demos: started next to the server, they connect to it
// (retrying until it listens), stream with ground-truth labels so dashboards show truth, and
// stop with the returned function.
import type { Encoding } from '../protocol/codec.js';
import { PhoneFleet } from './phone-fleet.js';

export interface DemoPhonesOptions {
  /** Device endpoint, e.g. ws://127.0.0.1:8080/ws/device */
  url: string;
  count?: number;
  rateHz?: number;
  encoding?: Encoding;
  seed?: number;
  /** Where to say what happened (default: stderr). */
  log?: (message: string) => void;
  /** Delay between connection attempts while the server is not up yet. */
  retryMs?: number;
}

/** Starts the demo phones in the background; the returned function stops them. */
export function startDemoPhones(opts: DemoPhonesOptions): () => Promise<void> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const count = opts.count ?? 3;
  let fleet: PhoneFleet | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempts = 0;

  const attempt = async () => {
    attempts++;
    try {
      const started = await PhoneFleet.start({
        url: opts.url,
        count,
        rateHz: opts.rateHz ?? 50,
        encoding: opts.encoding ?? 'json',
        labels: true,
        seed: opts.seed ?? Date.now() % 100_000,
        idPrefix: 'demo-phone',
        latencyCapacity: 1024,
      });
      if (stopped) return void (await started.stop());
      fleet = started;
      log(`demo phones: ${started.counters().connected} synthetic phones streaming to ${opts.url}`);
    } catch (err) {
      if (stopped) return;
      if (attempts === 1 || attempts % 10 === 0) log(`demo phones: cannot connect yet (${(err as Error).message}); retrying`);
      retry = setTimeout(attempt, opts.retryMs ?? 1000);
    }
  };
  void attempt();

  return async () => {
    stopped = true;
    clearTimeout(retry);
    await fleet?.stop();
  };
}
