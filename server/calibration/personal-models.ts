// The server's personal calibration service: the shared head every personal head starts from,
// the store of heads on disk, and the fit queue. Fits run on the main thread in slices of a few
// gradient steps with a macrotask between them, so sockets and pipelines keep flowing while the
// shared trunk keeps serving batches (in the inference worker, or between slices in this thread);
// at most `maxConcurrentFits` at once, `maxQueuedFits` waiting, more are refused as `busy`.
import { CalibrationError, fitPersonalHead, headFingerprint, type CalibrationWindow, type HeadWeights, type PersonalHead } from '../../models/har/personal-head.js';
import type { PersonalConfig } from '../config.js';
import { PersonalStore, type LoadedHead } from './personal-store.js';

/** Gradient steps between two yields to the event loop (~1-3 ms of work for ~100 windows). */
const STEPS_PER_SLICE = 5;

export class PersonalModels {
  readonly store: PersonalStore;
  /** The shared head, or undefined when the served classifier gives no features (calibration unavailable). */
  readonly shared: HeadWeights | undefined;
  readonly fingerprint: string;
  /** Why calibration is unavailable, when it is. */
  readonly unavailable: string | undefined;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Fit times so far, ms (queueing included), for /api/health and reports. */
  readonly fitTimesMs: number[] = [];

  constructor(
    readonly config: PersonalConfig,
    shared: (() => HeadWeights) | undefined,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.store = new PersonalStore(config.dir);
    let head: HeadWeights | undefined;
    let why: string | undefined;
    try {
      head = shared?.();
      if (!head) why = 'the served model gives no features for personal heads';
    } catch (err) {
      why = `the served model has no usable head: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.shared = head;
    this.unavailable = why;
    this.fingerprint = head ? headFingerprint(head) : '';
  }

  /**
   * A device's stored head (undefined: none, or unusable — logged). A head fitted with the phone
   * elsewhere (another placement) is not used: the network's features depend on the placement.
   */
  async load(deviceId: string, placement?: string): Promise<PersonalHead | undefined> {
    if (!this.shared) return undefined;
    const loaded: LoadedHead = await this.store.load(deviceId, { classes: this.shared.classes, featureSize: this.shared.featureSize, fingerprint: this.fingerprint });
    if (loaded.problem) this.log(`personal head of ${deviceId} not used: ${loaded.problem}`);
    const head = loaded.head;
    if (head?.placement !== undefined && placement !== undefined && head.placement !== placement) {
      this.log(`personal head of ${deviceId} not used: it was fitted with the phone at placement '${head.placement}', the device now says '${placement}' (calibrate again there)`);
      return undefined;
    }
    return head;
  }

  /** Fits a head (queued behind other fits) and returns it with the time it took. Throws CalibrationError. */
  async fit(windows: readonly CalibrationWindow[]): Promise<{ head: PersonalHead; ms: number }> {
    if (!this.shared) throw new CalibrationError('bad-features', this.unavailable ?? 'calibration is unavailable');
    if (this.running >= this.config.maxConcurrentFits && this.waiting.length >= this.config.maxQueuedFits) {
      throw new BusyError(`${this.running + this.waiting.length} devices are being personalised: try again in a few seconds`);
    }
    const t0 = performance.now();
    if (this.running >= this.config.maxConcurrentFits) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      const head = await fitPersonalHead(this.shared, windows, { yieldEvery: { steps: STEPS_PER_SLICE, yield: () => new Promise((r) => setImmediate(r)) } });
      const ms = performance.now() - t0;
      this.fitTimesMs.push(ms);
      if (this.fitTimesMs.length > 1000) this.fitTimesMs.shift();
      return { head, ms };
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** Too many fits queued. */
export class BusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusyError';
  }
}
