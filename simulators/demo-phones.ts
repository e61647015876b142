// A few synthetic phones for `npm start` demos: started next to the server, they connect to it
// (retrying until it listens), stream with ground-truth labels so dashboards show truth, and
// stop with the returned function. By default some are in a trouser pocket, some at the waist.
import type { Encoding } from '../protocol/codec.js';
import { PhoneFleet, placementOfPhone, type FleetPlacement } from './phone-fleet.js';

export interface DemoPhonesOptions {
  /** Device endpoint, e.g. ws://127.0.0.1:8080/ws/device; several: spread over them, failing over. */
  url: string | readonly string[];
  count?: number;
  rateHz?: number;
  encoding?: Encoding;
  seed?: number;
  /** Where the phones are carried (default mixed: the first, third… in a pocket). */
  placement?: FleetPlacement;
  /** Where to say what happened (default: stderr). */
  log?: (message: string) => void;
  /** Delay between connection attempts while the server is not up yet. */
  retryMs?: number;
}

/** Starts the demo phones in the background; the returned function stops them. */
export function startDemoPhones(opts: DemoPhonesOptions): () => Promise<void> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const count = opts.count ?? 3;
  const placement = opts.placement ?? 'mixed';
  const inPocket = Array.from({ length: count }, (_, i) => placementOfPhone(placement, i)).filter((p) => p === 'pocket').length;
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
        placement,
        idPrefix: 'demo-phone',
        latencyCapacity: 1024,
      });
      if (stopped) return void (await started.stop());
      fleet = started;
      log(`demo phones: ${started.counters().connected} synthetic phones streaming to ${[opts.url].flat().join(', ')} (${inPocket} in a trouser pocket, ${count - inPocket} at the waist)`);
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
