// The server under attack, in its own process (simulators/server-process.ts), watched: an exit we
// did not ask for is a crash, reported with its exit code or signal and the last lines the
// process wrote to stderr (the uncaught exception's stack).
import { startServerProcess, type ServerProcess } from '../../simulators/server-process.js';
import type { LocalServerOptions } from '../../simulators/local-server.js';

export interface CrashInfo {
  /** ms since the epoch when the exit was seen. */
  at: number;
  code: number | null;
  signal: string | null;
  stderrTail: string;
}

const TAIL_CHARS = 4000;

export class WatchedServer {
  private closing = false;
  /** Settles with the crash when the process exits on its own; never settles after close(). */
  readonly crashed: Promise<CrashInfo>;
  private constructor(
    readonly proc: ServerProcess,
    tail: { get: () => string },
  ) {
    this.crashed = new Promise((resolve) => {
      void proc.exited.then(({ code, signal }) => {
        if (!this.closing) resolve({ at: Date.now(), code, signal, stderrTail: tail.get() });
      });
    });
  }

  static async start(opts: Omit<LocalServerOptions, 'log'>, echo: (text: string) => void = (t) => process.stderr.write(t)): Promise<WatchedServer> {
    let tail = '';
    const proc = await startServerProcess(opts, 120_000, (text) => {
      tail = (tail + text).slice(-TAIL_CHARS);
      echo(text);
    });
    return new WatchedServer(proc, { get: () => tail });
  }

  get httpUrl(): string {
    return this.proc.httpUrl;
  }

  /** True while the process runs (a signal 0 probe). */
  get alive(): boolean {
    try {
      process.kill(this.proc.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.proc.close();
  }
}
