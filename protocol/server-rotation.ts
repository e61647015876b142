// Which gateway a device or page connects to next, and after how long, when it is given a list of
// servers (simulators' `--url a,b`, the pages' `?servers=`). One definition for Node and browser:
// no imports, no timers; callers own the sockets.
//
// Round-robin: every failure (a connection that dropped or never opened) moves to the NEXT URL.
// The delay doubles per full round through the list, not per attempt: the first retry after a
// gateway dies goes to another gateway after about one base delay, and only when every gateway
// refused does the device back off towards maxDelayMs. Jitter spreads the devices of a dead
// gateway so they do not all hit the next one in the same millisecond.

export interface RotationOptions {
  /** Index of the first URL to try (taken modulo the list's length): lets a fleet spread out. */
  startIndex?: number;
  /** Delay before the first retry of a round (default 250 ms). */
  baseDelayMs?: number;
  /** Upper bound of any delay (default 10,000 ms). */
  maxDelayMs?: number;
  /** Fraction of a delay that is random: a delay d is drawn from [d·(1-jitter), d] (default 0.5). */
  jitter?: number;
  /** Uniform in [0, 1): Math.random unless given (tests pass a seeded one). */
  random?: () => number;
}

export const DEFAULT_ROTATION = { baseDelayMs: 250, maxDelayMs: 10_000, jitter: 0.5 } as const;

/** The delay before retry number `failures` (1 = first) over a list of `servers` URLs, before jitter. */
export function backoffCeilingMs(failures: number, servers: number, base: number, max: number): number {
  if (failures <= 0) return 0;
  const round = Math.floor((failures - 1) / Math.max(1, servers));
  return Math.min(max, base * 2 ** Math.min(round, 30));
}

export class ServerRotation {
  private position: number;
  private consecutiveFailures = 0;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  /** Times the rotation moved to another URL (or retried the only one). */
  switches = 0;

  constructor(
    readonly urls: readonly string[],
    options: RotationOptions = {},
  ) {
    if (urls.length === 0) throw new Error('a server rotation needs at least one URL');
    this.baseDelayMs = options.baseDelayMs ?? DEFAULT_ROTATION.baseDelayMs;
    this.maxDelayMs = Math.max(this.baseDelayMs, options.maxDelayMs ?? DEFAULT_ROTATION.maxDelayMs);
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? DEFAULT_ROTATION.jitter));
    this.random = options.random ?? Math.random;
    const start = Math.trunc(options.startIndex ?? 0);
    this.position = ((start % urls.length) + urls.length) % urls.length;
  }

  /** The URL to connect to now. */
  get url(): string {
    return this.urls[this.position]!;
  }

  get index(): number {
    return this.position;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.consecutiveFailures;
  }

  /** The connection to `url` is up (welcomed): stay on it, and the next failure starts a new round. */
  succeeded(): void {
    this.consecutiveFailures = 0;
  }

  /** The connection to `url` dropped or never opened: moves to the next URL; returns the delay to wait before connecting to it. */
  failed(): number {
    this.consecutiveFailures++;
    this.switches++;
    this.position = (this.position + 1) % this.urls.length;
    const ceiling = backoffCeilingMs(this.consecutiveFailures, this.urls.length, this.baseDelayMs, this.maxDelayMs);
    return ceiling * (1 - this.jitter * this.random());
  }
}

/**
 * A list of server URLs from `a,b,c`, repeated options, or both; blanks dropped, duplicates kept
 * once, in order. Throws naming `what` when one is not a URL with an allowed scheme.
 */
export function parseServerList(value: string | readonly string[], schemes: readonly string[], what = 'server URL'): string[] {
  const parts = (typeof value === 'string' ? [value] : value)
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out: string[] = [];
  for (const part of parts) {
    let scheme: string;
    try {
      scheme = new URL(part).protocol;
    } catch {
      throw new Error(`${what} '${part.slice(0, 200)}' is not a URL`);
    }
    if (!schemes.includes(scheme)) throw new Error(`${what} '${part.slice(0, 200)}' must start with ${schemes.map((s) => `${s}//`).join(' or ')}`);
    if (!out.includes(part)) out.push(part);
  }
  if (out.length === 0) throw new Error(`no ${what} given`);
  return out;
}
