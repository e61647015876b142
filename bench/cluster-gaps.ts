// Per-phone prediction timing for `npm run bench -- cluster`: the longest wait of any phone for
// its next prediction, in a period (before / after an inference member is killed), beyond the
// normal cadence of one window per hop (64 samples at 50 Hz = 1,280 ms).
//
// failoverMs = max over phones of (the longest interval between consecutive predictions that
// ends after the kill, or the open interval at the end of streaming) − cadence, at least 0. An
// interval spanning the kill counts (the phone's last prediction before it to its first after).
export class PredictionGaps {
  private readonly last = new Map<string, number>();
  /** Longest interval per phone ending in [from, killAt) and in [killAt, end]. */
  private readonly before = new Map<string, number>();
  private readonly after = new Map<string, number>();
  private from = Infinity;
  private killAt = Infinity;

  constructor(private readonly cadenceMs: number) {}

  /** Intervals ending from now on count (call when the measured period starts). */
  startMeasuring(at: number): void {
    this.from = at;
  }

  killed(at: number): void {
    this.killAt = at;
  }

  prediction(deviceId: string, at: number): void {
    const prev = this.last.get(deviceId);
    this.last.set(deviceId, at);
    if (prev === undefined || at < this.from) return;
    const into = at >= this.killAt ? this.after : this.before;
    into.set(deviceId, Math.max(into.get(deviceId) ?? 0, at - prev));
  }

  /**
   * The figures at the end of streaming (`end`: when the phones stopped sending). Phones in
   * `gone` (closed by the server, e.g. shed as overloaded) stopped streaming: they are left out.
   */
  summary(end: number, gone: ReadonlySet<string> = new Set()): { failoverMs: number | null; baselineGapExcessMs: number; worstPhoneAfterKill: string | null } {
    const excess = (gap: number) => Math.max(0, gap - this.cadenceMs);
    let baseline = 0;
    for (const [id, gap] of this.before) if (!gone.has(id)) baseline = Math.max(baseline, excess(gap));
    if (!Number.isFinite(this.killAt)) return { failoverMs: null, baselineGapExcessMs: baseline, worstPhoneAfterKill: null };
    let worst = 0;
    let worstPhone: string | null = null;
    for (const [id, lastAt] of this.last) {
      if (gone.has(id)) continue;
      // A phone still waiting at the end has waited at least since its last prediction.
      const gap = Math.max(this.after.get(id) ?? 0, end - lastAt);
      if (excess(gap) > worst) {
        worst = excess(gap);
        worstPhone = id;
      }
    }
    return { failoverMs: worst, baselineGapExcessMs: baseline, worstPhoneAfterKill: worstPhone };
  }
}
