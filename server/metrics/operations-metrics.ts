// Operational metrics beside ServerMetrics' traffic figures: recording failures (issue 13),
// registered on the server's own registry and read from the server's state at scrape time.
import { Counter, type Registry } from 'prom-client';

export interface OperationsSources {
  /** Recordings given up, by error code (ENOSPC, EIO…). */
  recordingFailures(): ReadonlyMap<string, number>;
  /** Frames left out of recordings because the disk lagged. */
  recordingFramesDropped(): number;
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
