// Streams one recording through the server as one device: hello with hasLabels, then sample
// frames (with their labels) paced at `speed` times real time, or as fast as the server answers
// ('max': at most `maxInFlightWindows` windows awaiting a prediction). Collects every
// prediction with the window's truth from the recording. Given several server URLs, a dropped
// connection goes on at the next one (failover-device.ts).
import type { Encoding } from '../protocol/codec.js';
import type { ErrorCode, Placement } from '../protocol/sensor-messages.js';
import type { Recording } from '../data/readers/recording.js';
import type { CalibrationStatusMessage } from '../protocol/calibration-messages.js';
import { FailoverDevice } from './failover-device.js';
import { calibrationLabels, planCalibration } from './replay-calibration.js';
import type { LatencyLog } from './latency-log.js';
import { WindowTruth } from './window-truth.js';

export interface ReplayOptions {
  /** Device endpoint(s); with several, the device starts on the `startIndex`-th and fails over. */
  url: string | readonly string[];
  startIndex?: number;
  /** Reconnect after a drop (default: with several URLs). */
  reconnect?: boolean;
  deviceId: string;
  encoding?: Encoding;
  /** Multiple of real time, or 'max'. */
  speed: number | 'max';
  /** Seconds of recording per frame. */
  frameSeconds?: number;
  /** 'max' speed: windows allowed to await a prediction. */
  maxInFlightWindows?: number;
  /** Cap on samples per second sent (a server's per-device rate limit); 0 = none. */
  maxSamplesPerSec?: number;
  latency?: LatencyLog;
  /** After the last frame, stop waiting once the server has been silent this long. */
  drainIdleMs?: number;
  /** Called after each frame (progress). */
  onFrame?: (samples: number) => void;
  /** Placement the hello announces (default: the recording's, if its data set says). */
  placement?: Placement;
  /** Personal calibration on the first this-many seconds of each label, then personalise (replay-calibration.ts). */
  calibrateSeconds?: number;
}

export interface ScoredWindow {
  /** Truth from the recording (undefined: mixed or unlabelled window, not scored). */
  truth: string | undefined;
  /** Truth the server reported, if any. */
  serverTruth: string | undefined;
  label: string;
  /** Who made the prediction: the device's personal head or the shared model. */
  source?: string;
}

export interface ReplayResult {
  deviceId: string;
  recordingId: string;
  /** The model's classes, from the server's welcome. */
  classes: string[];
  framesSent: number;
  samplesSent: number;
  windows: ScoredWindow[];
  errors: Partial<Record<ErrorCode | 'closed', number>>;
  /** Connections after the first (failover to another URL). */
  reconnects: number;
  /** With calibrateSeconds: the seconds per label taught, the fit time, or why it failed. */
  /** kept: the server's guard verdict ('shared': the device stays on the shared model). */
  calibration?: { seconds: Record<string, number>; fitMs?: number; error?: string; kept?: 'shared' | 'mixed' | 'personal' };
}

const STALL_MS = 2000;
const BURST_SAMPLES = 2000;

export async function replayRecording(rec: Recording, opts: ReplayOptions): Promise<ReplayResult> {
  const inputRate = rec.rateHz ?? 50;
  const windows: ScoredWindow[] = [];
  let truth: WindowTruth | undefined;
  let answered = 0;
  let lastHeard = performance.now();
  let wake: (() => void) | undefined;
  const heard = () => {
    lastHeard = performance.now();
    wake?.();
  };
  let plan: ReturnType<typeof planCalibration> | undefined;
  let lastWindowEnd = -Infinity;
  let calibrationStatus: CalibrationStatusMessage | undefined;
  const client = await FailoverDevice.connect({
    urls: [opts.url].flat(),
    rotation: { startIndex: opts.startIndex ?? 0 },
    reconnect: opts.reconnect,
    encoding: opts.encoding,
    hello: {
      deviceId: opts.deviceId,
      rateHz: Math.min(200, Math.max(10, Math.round(inputRate))),
      units: 'g',
      source: 'replay',
      hasLabels: true,
      description: `replay of ${rec.id}${rec.user !== undefined ? ` (user ${rec.user})` : ''}`,
      ...((opts.placement ?? rec.placement) ? { placement: opts.placement ?? rec.placement } : {}),
    },
    onPrediction: (p, clientMs) => {
      answered++;
      opts.latency?.add(p.latencyMs, clientMs);
      windows.push({ truth: truth?.at(p.windowEnd), serverTruth: p.truth, label: p.label, ...(p.source ? { source: p.source } : {}) });
      lastWindowEnd = p.windowEnd;
      heard();
    },
    onError: (e) => {
      if (e.code === 'overloaded') answered++; // that window was dropped: no prediction will come
      heard();
    },
    onCalibrationStatus: (s) => {
      calibrationStatus = s;
      heard();
    },
    onClose: () => heard(),
  });
  let calibration: ReplayResult['calibration'];
  if (opts.calibrateSeconds !== undefined) {
    plan = planCalibration(rec, opts.calibrateSeconds, client.welcome.classes);
    client.sendMessage({ type: 'calibration', action: 'start' });
    calibration = { seconds: plan.seconds };
  }
  const { windowSize, hop, rateHz: modelRate } = client.welcome;
  truth = new WindowTruth(rec.t, rec.labels, ((windowSize - 1) * 1000) / modelRate, inputRate);
  // Windows the server should have cut from what we sent (its grid runs at the model rate).
  const expectedWindows = () => {
    const gridSamples = Math.floor((client.stats.samplesSent * modelRate) / inputRate);
    return gridSamples < windowSize ? 0 : Math.floor((gridSamples - windowSize) / hop) + 1;
  };
  const waitForServer = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const frameSamples = Math.max(1, Math.round((opts.frameSeconds ?? 0.25) * inputRate));
  const cap = opts.maxSamplesPerSec ?? 0;
  const maxInFlight = opts.maxInFlightWindows ?? 3;
  const n = rec.t.length;
  const start = performance.now();
  const t0 = rec.t[0] ?? 0;
  for (let i = 0; i < n && !client.closed; i += frameSamples) {
    const end = Math.min(n, i + frameSamples);
    let dueAt = opts.speed === 'max' ? start : start + (rec.t[end - 1]! - t0) / opts.speed;
    if (cap > 0) dueAt = Math.max(dueAt, start + ((client.stats.samplesSent + (end - i) - BURST_SAMPLES) / cap) * 1000);
    if (opts.speed === 'max') {
      // Closed loop: wait for answers; if the server goes quiet, assume the windows were lost.
      while (!client.closed && expectedWindows() - answered >= maxInFlight) {
        if (performance.now() - lastHeard > STALL_MS) {
          answered = expectedWindows();
          break;
        }
        await waitForServer(STALL_MS);
      }
    }
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const labels = plan ? calibrationLabels(rec, plan, i, end) : rec.labels.slice(i, end).map((l) => l ?? '');
    client.send({ t: rec.t.subarray(i, end), x: rec.x.subarray(i, end), y: rec.y.subarray(i, end), z: rec.z.subarray(i, end), labels });
    opts.onFrame?.(end - i);
    if (plan && calibration && end >= plan.end && i < plan.end) {
      // The last calibration sample is out: once the server has published (and so collected) the
      // windows that end within a hop of it, personalise.
      const lastCalibrationT = rec.t[plan.end - 1]! - (hop * 1000) / modelRate;
      const collectedBy = performance.now() + 30_000;
      while (!client.closed && lastWindowEnd < lastCalibrationT && performance.now() < collectedBy) await waitForServer(1000);
      calibrationStatus = undefined;
      client.sendMessage({ type: 'calibration', action: 'personalise' });
      const deadline = performance.now() + 30_000;
      // (set by the onCalibrationStatus callback)
      const status = () => calibrationStatus as CalibrationStatusMessage | undefined;
      // Fitted: back to idle with a head (a head loaded at hello shows as personal while collecting),
      // or with the shared model kept by the server's guard.
      const answeredStatus = () => status()?.error !== undefined || (status()?.state === 'idle' && (status()?.personal === true || status()?.validation?.kept === 'shared'));
      while (!client.closed && !answeredStatus() && performance.now() < deadline) await waitForServer(1000);
      const s = status();
      if (s?.error) calibration.error = `${s.error.code}: ${s.error.message}`;
      else if (s?.personal || s?.validation?.kept === 'shared') {
        calibration.fitMs = s.fitMs ?? NaN;
        if (s.validation) calibration.kept = s.validation.kept;
      } else calibration.error = 'no answer to personalise within 30 s';
    }
  }

  // Drain: wait for the last windows until the server has been quiet for a while.
  const idle = opts.drainIdleMs ?? 1500;
  lastHeard = performance.now();
  // A calibrating device waited for its fit meanwhile (the count of answers is only an estimate
  // then): it also waits for the window that ends with its last samples.
  const lastWindowDue = plan ? rec.t[n - 1]! - (hop * 1000) / modelRate : -Infinity;
  while (!client.closed && (answered < expectedWindows() || lastWindowEnd < lastWindowDue) && performance.now() - lastHeard < idle) {
    await waitForServer(idle);
  }
  const errors: ReplayResult['errors'] = { ...client.stats.errors };
  if (client.closed) errors.closed = (errors.closed ?? 0) + 1;
  await client.close();
  const result: ReplayResult = {
    deviceId: opts.deviceId,
    recordingId: rec.id,
    classes: [...client.welcome.classes],
    framesSent: client.stats.framesSent,
    samplesSent: client.stats.samplesSent,
    windows,
    errors,
    reconnects: client.stats.reconnects,
  };
  if (calibration) result.calibration = calibration;
  return result;
}
