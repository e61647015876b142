// Operational metrics beside ServerMetrics' traffic figures (issue 13): readiness, the inference
// worker's restarts, recording failures; registered on the server's own registry and read from
// the server's state at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { InferenceWorkerHealth } from '../inference/worker-classifier.js';
import { setOrOmit } from './set-or-omit.js';

export interface OperationsSources {
  /** Recordings given up, by error code (ENOSPC, EIO…). */
  recordingFailures(): ReadonlyMap<string, number>;
  /** Frames left out of recordings because the disk lagged. */
  recordingFramesDropped(): number;
  /** What /api/health answers: 1 (200) or 0 (503). */
  ready(): boolean;
  /** The inference worker's state; undefined when the HAR model runs in the main thread. */
  inferenceWorker(): InferenceWorkerHealth | undefined;
}

export function watchOperations(registry: Registry, src: OperationsSources): void {
  const registers = [registry];
  new Counter({
    name: 'sensorium_recording_failures_total',
    help: 'Recordings given up because writing them failed, by error code (ENOSPC: disk full, EIO: I/O error, ENOTDIR/EACCES: folder unusable)',
    labelNames: ['code'],
    registers,
    collect() {
      this.reset();
      for (const [code, n] of src.recordingFailures()) this.inc({ code }, n);
    },
  });
  new Gauge({
    name: 'sensorium_ready',
    help: '1 when /api/health answers 200, 0 when it answers 503 (the HAR model failed to load, the inference worker is down, recordings cannot be written)',
    registers,
    collect() {
      this.set(src.ready() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'sensorium_inference_worker_up',
    help: '1 while the inference worker classifies, 0 while it is being restarted (or stopped); absent when the model runs in the main thread',
    registers,
    collect() {
      const w = src.inferenceWorker();
      setOrOmit(this, w ? (w.state === 'running' ? 1 : 0) : undefined);
    },
  });
  const workerCount = (name: string, help: string, pick: (w: InferenceWorkerHealth) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(pick(src.inferenceWorker() ?? { state: 'running', restarts: 0, failedStarts: 0 }));
      },
    });
  workerCount('sensorium_inference_worker_restarts_total', 'Inference workers that took over after one died', (w) => w.restarts);
  workerCount('sensorium_inference_worker_failed_starts_total', 'Attempts to start a replacement inference worker that failed (retried with exponential backoff)', (w) => w.failedStarts);
  new Counter({
    name: 'sensorium_recording_frames_dropped_total',
    help: 'Frames left out of recordings because the disk was slower than the stream (the buffer cap was reached)',
    registers,
    collect() {
      this.reset();
      this.inc(src.recordingFramesDropped());
    },
  });
}

/** Failures that reached process level (server/process-policy.ts), by kind; npm start registers it. */
export function watchProcessErrors(registry: Registry, counts: () => Readonly<Record<string, number>>): void {
  new Counter({
    name: 'sensorium_process_errors_total',
    help: 'Uncaught exceptions and unhandled rejections that reached process level (logged; the server kept serving)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, n] of Object.entries(counts())) this.inc({ kind }, n);
    },
  });
}
