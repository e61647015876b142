// Overload protection for the ingestion side. The inference queue sheds windows when the model
// falls behind, but when the main thread itself cannot keep up with the frames of every device,
// nothing queues in the server: frames wait unread in socket buffers and every device's latency
// grows without bound, while throughput stays at capacity. The signals for that are the event
// loop's delay, and the share of windows the inference queue turns away (each one cost its
// ingestion for nothing). While either stays high, the newest device connections are shed (an
// `overloaded` error, then close 1013: try again later) — as large a share as the windows turned
// away, at least `shedFraction` — and new devices are refused, so the devices that remain are
// served with bounded latency; once both are low again, devices are admitted.
// A connection storm (a gateway's devices failing over to this one, a fleet starting) also makes
// the loop lag, for a moment: shedding then would close the very devices that just arrived and
// make them reconnect again. So while devices are still joining, the first response is to refuse
// newcomers; devices are shed only if the loop stays behind once nobody joins.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoadShedderOptions {
  /** p99 event-loop delay (ms) over a check interval above which the server is overloaded. */
  highLagMs: number;
  /** p99 event-loop delay (ms) below which it admits devices again. */
  lowLagMs: number;
  /** How often the delay is judged, ms. */
  checkMs: number;
  /** Consecutive high checks before shedding starts (a GC pause is not overload). */
  patience: number;
  /** Share of the attached devices shed per high check (at least one). */
  shedFraction: number;
  /** Share of windows turned away by the inference queue over a check above which the server is overloaded. */
  highRejectedShare: number;
  /** Most devices shed per check, as a share of the attached ones. */
  maxShedFraction: number;
  /**
   * Fewer devices than this are never shed: a lagging loop then has another cause (a busy
   * machine, a slow request) that dropping devices would not cure.
   */
  minDevices: number;
}

export const DEFAULT_LOAD_SHEDDING: LoadShedderOptions = {
  highLagMs: 150,
  lowLagMs: 50,
  checkMs: 1000,
  patience: 2,
  shedFraction: 0.05,
  highRejectedShare: 0.1,
  maxShedFraction: 0.25,
  minDevices: 100,
};

/** Windows the inference queue served and turned away so far (cumulative counters). */
export type WindowCounts = () => { served: number; rejected: number };

/**
 * The load shedder's view of the batcher's counters: a device's own backlog (windows beyond its
 * share, `overShare`) is no sign that the server cannot keep up, so it does not count as rejected.
 */
export function windowCountsOf(stats: { completed: number; overloaded: number; overShare: number }): { served: number; rejected: number } {
  return { served: stats.completed, rejected: stats.overloaded - stats.overShare };
}

/** A device that can be shed: when it connected, and how to close it. */
export interface Sheddable {
  connectedAt: number;
  shed(reason: string): void;
}

export class LoadShedder {
  /** True from the first shedding until the delay is low again: new devices are refused meanwhile. */
  overloaded = false;
  /** Devices shed so far. */
  shedCount = 0;
  /** p99 event-loop delay of the last check, ms. */
  lastLagMs = 0;
  private highChecks = 0;
  /** Devices (tracked ones) that began streaming since the loop was last judged prompt. */
  private joinedWhileHigh = 0;
  private lastCheckAt = performance.now();
  private lastCounts = { served: 0, rejected: 0 };
  private readonly histogram: IntervalHistogram;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Devices that track() themselves (when no `devices` list is given). */
  private readonly tracked = new Set<Sheddable>();
  private readonly devices: () => Iterable<Sheddable>;

  constructor(
    /** The devices to choose from; default: those that track() themselves. */
    devices: (() => Iterable<Sheddable>) | undefined,
    private readonly opts: LoadShedderOptions = DEFAULT_LOAD_SHEDDING,
    /** Told when shedding starts and stops (logs). */
    private readonly onChange?: (event: { overloaded: boolean; lagMs: number; shed: number }) => void,
    private readonly windows?: WindowCounts,
  ) {
    this.devices = devices ?? (() => this.tracked);
    if (windows) this.lastCounts = windows();
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.check(this.histogram.percentile(99) / 1e6), opts.checkMs);
    this.timer.unref();
  }

  /**
   * A device streaming now becomes a candidate for shedding (a device connection, once its session
   * is open); the returned function takes it out again (closed, or shed).
   */
  track(device: Sheddable): () => void {
    this.tracked.add(device);
    this.joinedWhileHigh++;
    return () => void this.tracked.delete(device);
  }

  /**
   * Called for every device frame: under heavy load the loop runs timers only between long
   * polls of socket events, so the check's own timer may be seconds late — and that lateness is
   * the delay to judge.
   */
  poke(now: number): void {
    const overdue = now - this.lastCheckAt - this.opts.checkMs;
    if (overdue > this.opts.highLagMs) this.check(overdue);
  }

  /**
   * Judges one interval: its p99 loop delay (ms) and the share of windows turned away since the
   * last check; sheds when either has been high for `patience` checks.
   */
  check(lagMs: number, rejectedShare = this.rejectedShare()): void {
    this.lastCheckAt = performance.now();
    this.histogram.reset();
    this.lastLagMs = lagMs;
    const rejecting = rejectedShare > this.opts.highRejectedShare;
    if (lagMs < this.opts.lowLagMs && rejectedShare < this.opts.highRejectedShare / 10) {
      this.highChecks = 0;
      this.joinedWhileHigh = 0;
      if (this.overloaded) {
        this.overloaded = false;
        this.onChange?.({ overloaded: false, lagMs, shed: this.shedCount });
      }
      return;
    }
    if (lagMs <= this.opts.highLagMs && !rejecting) return; // in between: hold the current state
    if (++this.highChecks < this.opts.patience) return;
    const all = [...this.devices()];
    if (all.length < this.opts.minDevices) return;
    if (this.joinedWhileHigh > 0 && !this.overloaded) {
      // Devices were arriving as the loop fell behind: refuse newcomers first (see the top of this file).
      this.joinedWhileHigh = 0;
      this.overloaded = true;
      this.onChange?.({ overloaded: true, lagMs, shed: this.shedCount });
      return;
    }
    // Newest first: devices that have streamed longest keep their windows and smoothing. The
    // list comes oldest first, so reversing it before the (stable) sort breaks ties the same way.
    all.reverse().sort((a, b) => b.connectedAt - a.connectedAt);
    const share = Math.min(this.opts.maxShedFraction, Math.max(this.opts.shedFraction, rejectedShare));
    const n = Math.max(1, Math.ceil(all.length * share));
    const reason = `the server is overloaded (event loop ${Math.round(lagMs)} ms behind, ${Math.round(100 * rejectedShare)}% of windows turned away): try again later`;
    for (const d of all.slice(0, n)) d.shed(reason);
    this.shedCount += n;
    if (!this.overloaded) {
      this.overloaded = true;
      this.onChange?.({ overloaded: true, lagMs, shed: this.shedCount });
    }
  }

  /** Share of windows the inference queue turned away since the last check (0 without counters). */
  private rejectedShare(): number {
    if (!this.windows) return 0;
    const now = this.windows();
    const served = now.served - this.lastCounts.served;
    const rejected = now.rejected - this.lastCounts.rejected;
    this.lastCounts = now;
    return served + rejected > 0 ? rejected / (served + rejected) : 0;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
