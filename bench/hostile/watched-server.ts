// The server under attack, in its own process (simulators/server-process.ts), watched: an exit we
// did not ask for is a crash, reported with its exit code or signal and the last lines the
// process wrote to stderr (the uncaught exception's stack). Exceptions the process policy caught
// and survived (server/process-policy.ts) are kept from stderr too: each is a bug to fix.
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
/** Distinct process-level errors kept (by their message and first stack line). */
const MAX_PROCESS_ERRORS = 20;
const POLICY_LINE = /uncaught exception: logged|unhandled promise rejection: logged/;

export class WatchedServer {
  private closing = false;
  /** Process-level errors the policy survived, as the server printed them (first lines of each). */
  readonly processErrors: string[] = [];
  /** Settles with the crash when the process exits on its own; never settles after close(). */
  readonly crashed: Promise<CrashInfo>;
  private constructor(
    readonly proc: ServerProcess,
    tail: { get: () => string },
    errors: string[],
  ) {
    this.processErrors = errors;
    this.crashed = new Promise((resolve) => {
      void proc.exited.then(({ code, signal }) => {
        if (!this.closing) resolve({ at: Date.now(), code, signal, stderrTail: tail.get() });
      });
    });
  }

  static async start(opts: Omit<LocalServerOptions, 'log'>, echo: (text: string) => void = (t) => process.stderr.write(t)): Promise<WatchedServer> {
    let tail = '';
    const errors: string[] = [];
    const proc = await startServerProcess(opts, 120_000, (text) => {
      tail = (tail + text).slice(-TAIL_CHARS);
      const at = text.search(POLICY_LINE);
      if (at >= 0 && errors.length < MAX_PROCESS_ERRORS) {
        const entry = text.slice(at).split('\n').slice(0, 6).join('\n');
        if (!errors.some((e) => e.split('\n').slice(1, 3).join() === entry.split('\n').slice(1, 3).join())) errors.push(entry);
      }
      echo(text);
    });
    return new WatchedServer(proc, { get: () => tail }, errors);
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
