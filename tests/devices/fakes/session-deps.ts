// A DeviceSession's dependencies, every one a fake but personal calibration (a real
// PersonalModels without a shared head: calibration unavailable, windows go to inference as they
// are), and a device end that keeps what the session sends it.
import { DEFAULT_LIMITS, type ErrorMessage, type PredictionMessage, type ServerToDevice } from '../../../protocol/sensor-messages.js';
import { PersonalModels } from '../../../server/calibration/personal-models.js';
import { DEFAULT_CONFIG } from '../../../server/config.js';
import type { DeviceSessionDeps, DeviceSessionOptions } from '../../../server/devices/device-session.js';
import { FakeClaims } from './fake-claims.js';
import { FakeInference } from './fake-inference.js';
import { FakeLog } from './fake-log.js';
import { FakePredictionSink } from './fake-prediction-sink.js';
import { FakeRecordings } from './fake-recordings.js';
import { FakeStats } from './fake-stats.js';

export function fakeSessionDeps(opts: { recordAll?: boolean } = {}) {
  const claims = new FakeClaims();
  const inference = new FakeInference();
  const fanOut = new FakePredictionSink();
  const recordings = new FakeRecordings(opts.recordAll ?? false);
  const stats = new FakeStats();
  const log = new FakeLog();
  const deps: DeviceSessionDeps = {
    claims,
    inference,
    personal: new PersonalModels(DEFAULT_CONFIG.personal, undefined),
    fanOut,
    recordings,
    stats,
    log,
    backend: 'fake-backend',
    limits: { ...DEFAULT_LIMITS },
    // No smoothing: a prediction's probabilities are its window's own.
    pipeline: { ...DEFAULT_CONFIG.pipeline, smoothing: { kind: 'none' } },
    signal: { hz: 25, intervalMs: 20 },
  };
  return { deps, claims, inference, fanOut, recordings, stats, log };
}

/** One connection's end of a session: what it was sent; `connected = false` makes send report a gone socket. */
export class FakeDeviceEnd {
  readonly sent: ServerToDevice[] = [];
  connected = true;
  crashes: unknown[] = [];

  readonly opts: DeviceSessionOptions = {
    send: (m) => {
      this.sent.push(m);
      return this.connected;
    },
    onCrash: (err) => this.crashes.push(err),
  };

  predictions(): PredictionMessage[] {
    return this.sent.filter((m): m is PredictionMessage => m.type === 'prediction');
  }

  errors(): ErrorMessage[] {
    return this.sent.filter((m): m is ErrorMessage => m.type === 'error');
  }
}

/** Lets promise chains and immediate callbacks (inference answers, pipeline stages) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
