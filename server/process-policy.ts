// The last-resort process policy of `npm start` (server/main.ts), for failures that escaped every
// handler: each socket handler and pipeline stage contains its own failures, so what reaches
// process level is a bug in one connection's callback or one forgotten promise.
//
// - unhandledRejection: logged with the error and counted; the process keeps serving. A rejected
//   promise nobody awaited means the operation it belonged to has already failed; nothing shared
//   was left half-changed by it.
// - uncaughtException: logged with the error and counted; the process keeps serving. Such an
//   exception unwinds one event callback (a socket's message handler, a timer of one device's
//   pipeline): what it leaves inconsistent is that connection's state, which its own timeouts
//   (heartbeat, idle limits) clean up, while the other connections, the model and the recordings
//   are untouched. Node's default (exit) would instead cut every device and dashboard.
// - More than maxUncaughtPerMinute uncaught exceptions within a minute: the process keeps
//   failing, and serving on risks more than it saves. `fatal` is called (once): npm start shuts
//   down gracefully, with its deadline, and exits 70 so a supervisor restarts it.

/** Where the policy logs (Fastify's pino logger fits). */
export interface ProcessPolicyLog {
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface ProcessPolicyOptions {
  log: ProcessPolicyLog;
  /** The process should end (a burst of uncaught exceptions); called at most once. */
  fatal: (reason: string) => void;
  /** Uncaught exceptions tolerated within one minute (default 10). */
  maxUncaughtPerMinute?: number;
  now?: () => number;
}

export type ProcessErrorKind = 'uncaughtException' | 'unhandledRejection';

const MINUTE_MS = 60_000;

export class ProcessPolicy {
  /** Failures that reached process level, for /metrics. */
  readonly counts: Record<ProcessErrorKind, number> = { uncaughtException: 0, unhandledRejection: 0 };
  private readonly recentUncaught: number[] = [];
  private gaveUp = false;
  private readonly maxPerMinute: number;
  private readonly now: () => number;

  constructor(private readonly opts: ProcessPolicyOptions) {
    this.maxPerMinute = opts.maxUncaughtPerMinute ?? 10;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Installs the handlers on `proc` (the process) in place of those already there; returns what
   * removes them (and puts the earlier ones back). The earlier ones must go: tfjs-backend-wasm's
   * Emscripten runtime adds listeners that rethrow every uncaught exception and unhandled
   * rejection, which would end the process whatever this policy decides.
   */
  install(proc: NodeJS.EventEmitter = process): () => void {
    const events = ['uncaughtException', 'unhandledRejection'] as const;
    const earlier = new Map(events.map((e) => [e, proc.listeners(e) as ((...args: unknown[]) => void)[]]));
    for (const e of events) proc.removeAllListeners(e);
    const onException = (err: unknown, origin?: string) => this.uncaught(err, origin);
    const onRejection = (reason: unknown) => this.unhandled(reason);
    proc.on('uncaughtException', onException);
    proc.on('unhandledRejection', onRejection);
    return () => {
      proc.off('uncaughtException', onException);
      proc.off('unhandledRejection', onRejection);
      for (const [e, listeners] of earlier) for (const l of listeners) proc.on(e, l);
    };
  }

  uncaught(err: unknown, origin = 'uncaughtException'): void {
    this.counts.uncaughtException++;
    this.opts.log.error({ err: asError(err), kind: 'uncaughtException', origin }, 'uncaught exception: logged and kept serving (process policy, server/process-policy.ts)');
    const now = this.now();
    this.recentUncaught.push(now);
    while (this.recentUncaught.length > 0 && this.recentUncaught[0]! <= now - MINUTE_MS) this.recentUncaught.shift();
    if (this.recentUncaught.length > this.maxPerMinute && !this.gaveUp) {
      this.gaveUp = true;
      this.opts.fatal(`${this.recentUncaught.length} uncaught exceptions within a minute (the limit is ${this.maxPerMinute}): the process keeps failing`);
    }
  }

  unhandled(reason: unknown): void {
    this.counts.unhandledRejection++;
    this.opts.log.error({ err: asError(reason), kind: 'unhandledRejection' }, 'unhandled promise rejection: logged and kept serving (process policy, server/process-policy.ts)');
  }
}

/** A logger serializes an Error with its message and stack; other values are wrapped into one. */
function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = `a ${typeof value} that cannot be shown`; // BigInt, cycles, objects without toString
  }
  return new Error(`non-error thrown or rejected: ${text.slice(0, 500)}`);
}
