// The well-behaved neighbours of a hostile run: real-time simulated phones on /ws/device
// (simulators/phone-fleet.ts) and typists on /ws/text (simulators/typist-fleet.ts). Figures are
// taken per phase (calm, hostile): client-side prediction latency (frame sent -> prediction
// received), typing latency (keystroke -> suggestions), `overloaded` and other errors.
import { joinDocuments, loadCorpus } from '../../data/corpora/index.js';
import { PhoneFleet } from '../../simulators/phone-fleet.js';
import { runTypists, type FleetCounters as TypistCounters } from '../../simulators/typist-fleet.js';
import { percentileOf } from '../../lib/percentile.js';
import type { RollingSamples } from '../../lib/rolling-samples.js';
import { inc, type Tally } from './tally.js';
import { NEIGHBOUR_PREFIX } from './ws-payloads.js';

export interface NeighbourOptions {
  phones: number;
  typists: number;
  seed: number;
  /** How long typists may type at most (they also stop when their server goes away). */
  maxSeconds: number;
}

export interface NeighbourFigures {
  /** Phones: prediction latency p99 / p50, client side, ms (null without predictions). */
  p99Ms: number | null;
  p50Ms: number | null;
  /** Phones: p99 of the server's own latencyMs (last sample received -> prediction sent); the rest of p99Ms is waiting to be read, and the way back. */
  serverP99Ms: number | null;
  predictions: number;
  /** `overloaded` errors the neighbours got (phones and typists). */
  overloaded: number;
  /** Every other error, dropped connection and refused connection. */
  errors: number;
  errorCodes: Tally;
  /** Typists: keystroke -> suggestions p99, ms (null without typists or suggestions). */
  typistP99Ms: number | null;
  suggestions: number;
  /** Phones: p99 of each 10 s of the phase, ms (when in the phase the latency went up). */
  p99ByTenSecondsMs: (number | null)[];
}

let typingText: string | undefined;

export class Neighbours {
  private fleet: PhoneFleet | undefined;
  private typistCounters: TypistCounters | undefined;
  private typistLatency: RollingSamples | undefined;
  private typing: Promise<unknown> | undefined;
  private phaseLatencies: number[] = [];
  /** The server's latencyMs of each of phaseLatencies. */
  private phaseServerLatencies: number[] = [];
  /** When each of phaseLatencies arrived, ms since the phase began. */
  private phaseTimes: number[] = [];
  private phaseStartedAt = performance.now();
  private phaseErrors: Tally = {};
  /** Fleet error counters already counted (a fleet's counters are cumulative). */
  private fleetBaseline: Tally = {};
  private typistBaseline: Tally = {};
  private typistSuggestionsBaseline = 0;
  private typistP99History: number[] = [];
  private suggestionsCarried = 0;

  constructor(private readonly o: NeighbourOptions) {}

  /** Connects the neighbours to a server (again, after it was restarted). */
  async attach(httpUrl: string): Promise<void> {
    await this.detach();
    const wsUrl = `${httpUrl.replace(/^http/, 'ws')}/ws/device`;
    if (this.o.phones > 0) {
      this.fleet = await PhoneFleet.start({
        url: wsUrl,
        count: this.o.phones,
        rateHz: 50,
        framesPerSecond: 10,
        seed: this.o.seed,
        idPrefix: NEIGHBOUR_PREFIX,
        connectConcurrency: 10,
        latencyCapacity: 1024,
        onPrediction: (_id, p, clientMs) => {
          if (clientMs === undefined) return;
          this.phaseLatencies.push(clientMs);
          this.phaseServerLatencies.push(p.latencyMs);
          this.phaseTimes.push(performance.now() - this.phaseStartedAt);
        },
      });
      this.fleetBaseline = {};
    }
    if (this.o.typists > 0) {
      typingText ??= joinDocuments(loadCorpus('english').validation).replace(/\s+/g, ' ');
      this.typistBaseline = {};
      this.typistSuggestionsBaseline = 0;
      this.typing = runTypists({
        url: httpUrl,
        text: typingText,
        typists: this.o.typists,
        wpm: 40,
        seconds: this.o.maxSeconds,
        charsPerTypist: 1_000_000,
        seed: this.o.seed,
        onProgress: (c, latency) => {
          this.typistCounters = c;
          this.typistLatency = latency;
        },
      }).catch((err: unknown) => inc(this.phaseErrors, `typists: ${err instanceof Error ? err.message.slice(0, 60) : String(err)}`));
    }
  }

  /** Starts counting a new phase. */
  beginPhase(): void {
    this.collect();
    this.phaseLatencies = [];
    this.phaseServerLatencies = [];
    this.phaseTimes = [];
    this.phaseStartedAt = performance.now();
    this.phaseErrors = {};
    this.typistLatency?.clear();
    this.typistP99History = [];
    this.suggestionsCarried = 0;
    this.typistSuggestionsBaseline = this.typistCounters?.suggestions ?? 0;
  }

  /** The figures since beginPhase(). */
  endPhase(): NeighbourFigures {
    this.collect();
    const typistP99 = [...this.typistP99History, ...(this.typistLatency?.count ? [this.typistLatency.percentile(99)] : [])];
    const { overloaded = 0, ...others } = this.phaseErrors;
    return {
      p99Ms: percentileOf(this.phaseLatencies, 99),
      p50Ms: percentileOf(this.phaseLatencies, 50),
      serverP99Ms: percentileOf(this.phaseServerLatencies, 99),
      predictions: this.phaseLatencies.length,
      overloaded,
      errors: Object.values(others).reduce((s, v) => s + v, 0),
      errorCodes: { ...this.phaseErrors },
      typistP99Ms: typistP99.length ? Math.max(...typistP99) : null,
      suggestions: this.suggestionsCarried + (this.typistCounters?.suggestions ?? 0) - this.typistSuggestionsBaseline,
      p99ByTenSecondsMs: this.p99ByTenSeconds(),
    };
  }

  /** Disconnects the phones; typists end when their server closes. */
  async detach(): Promise<void> {
    this.collect();
    // A fleet on a dead server: its typists' figures so far belong to the phase.
    if (this.typistLatency?.count) this.typistP99History.push(this.typistLatency.percentile(99));
    if (this.typistCounters) this.suggestionsCarried += this.typistCounters.suggestions - this.typistSuggestionsBaseline;
    this.typistLatency = undefined;
    this.typistCounters = undefined;
    await this.fleet?.stop();
    this.fleet = undefined;
  }

  private p99ByTenSeconds(): (number | null)[] {
    const windows: number[][] = Array.from({ length: Math.ceil((performance.now() - this.phaseStartedAt) / 10_000) }, () => []);
    this.phaseTimes.forEach((t, i) => windows[Math.min(windows.length - 1, Math.floor(t / 10_000))]?.push(this.phaseLatencies[i]!));
    return windows.map((w) => percentileOf(w, 99));
  }

  /** Moves error counts seen since the last call into the phase. */
  private collect(): void {
    const add = (now: Tally, baseline: Tally) => {
      for (const [code, n] of Object.entries(now)) {
        const d = n - (baseline[code] ?? 0);
        if (d > 0) inc(this.phaseErrors, code, d);
        baseline[code] = n;
      }
    };
    if (this.fleet) add(this.fleet.counters().errors as Tally, this.fleetBaseline);
    if (this.typistCounters) add(this.typistCounters.errors, this.typistBaseline);
  }
}
