// The well-behaved neighbours of a hostile run: real-time simulated phones on /ws/device
// (simulators/phone-fleet.ts) and typists on /ws/text (simulators/typist-fleet.ts). Samples are
// taken per phase (a calm or a hostile window): client-side prediction latency (frame sent ->
// prediction received), typing latency (keystroke -> suggestions), `overloaded` and other errors;
// the figures of several windows of one kind are computed over their samples pooled.
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

/** What the neighbours measured in one phase: the raw samples, so that windows can be pooled. */
export interface PhaseSamples {
  /** Phones: client-side latency of each prediction, ms. */
  latencies: number[];
  /** The server's latencyMs of each of latencies. */
  serverLatencies: number[];
  /** When each of latencies arrived, ms since the phase began. */
  times: number[];
  durationMs: number;
  /** Typists: keystroke -> suggestions, ms. */
  typistLatencies: number[];
  suggestions: number;
  errors: Tally;
}

/** The figures of one or more phases, their samples pooled (p99ByTenSecondsMs: each phase's, in order). */
export function figuresOf(phases: readonly PhaseSamples[]): NeighbourFigures {
  const all = (pick: (p: PhaseSamples) => number[]) => phases.flatMap(pick);
  const latencies = all((p) => p.latencies);
  const typist = all((p) => p.typistLatencies);
  const errors: Tally = {};
  for (const p of phases) for (const [code, n] of Object.entries(p.errors)) inc(errors, code, n);
  const { overloaded = 0, ...others } = errors;
  return {
    p99Ms: percentileOf(latencies, 99),
    p50Ms: percentileOf(latencies, 50),
    serverP99Ms: percentileOf(
      all((p) => p.serverLatencies),
      99,
    ),
    predictions: latencies.length,
    overloaded,
    errors: Object.values(others).reduce((s, v) => s + v, 0),
    errorCodes: errors,
    typistP99Ms: percentileOf(typist, 99),
    suggestions: phases.reduce((s, p) => s + p.suggestions, 0),
    p99ByTenSecondsMs: phases.flatMap(p99ByTenSeconds),
  };
}

function p99ByTenSeconds(p: PhaseSamples): (number | null)[] {
  const windows: number[][] = Array.from({ length: Math.max(1, Math.ceil(p.durationMs / 10_000)) }, () => []);
  p.times.forEach((t, i) => windows[Math.min(windows.length - 1, Math.floor(t / 10_000))]?.push(p.latencies[i]!));
  return windows.map((w) => percentileOf(w, 99));
}

export class Neighbours {
  private fleet: PhoneFleet | undefined;
  private typistCounters: TypistCounters | undefined;
  private typistLatency: RollingSamples | undefined;
  private typing: Promise<unknown> | undefined;
  private phase: PhaseSamples = emptyPhase();
  private phaseStartedAt = performance.now();
  /** Every error since the neighbours started, across phases and server restarts. */
  private readonly allErrors: Tally = {};
  /** Fleet error counters already counted (a fleet's counters are cumulative). */
  private fleetBaseline: Tally = {};
  private typistBaseline: Tally = {};
  private typistSuggestionsBaseline = 0;

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
          this.phase.latencies.push(clientMs);
          this.phase.serverLatencies.push(p.latencyMs);
          this.phase.times.push(performance.now() - this.phaseStartedAt);
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
      }).catch((err: unknown) => this.countError(`typists: ${err instanceof Error ? err.message.slice(0, 60) : String(err)}`));
    }
  }

  /** Starts a new phase: what came before it is not in it. */
  beginPhase(): void {
    this.takePhase(); // moves what the fleets counted so far out of their counters
    this.phase = emptyPhase();
    this.phaseStartedAt = performance.now();
  }

  /** The samples since beginPhase(). */
  takePhase(): PhaseSamples {
    this.collectTypists();
    this.collect();
    return { ...this.phase, durationMs: performance.now() - this.phaseStartedAt };
  }

  /** The figures since beginPhase(). */
  endPhase(): NeighbourFigures {
    return figuresOf([this.takePhase()]);
  }

  /** Every error so far, by code (diff two of these for a span that crosses phases). */
  errorTally(): Tally {
    this.collect();
    return { ...this.allErrors };
  }

  /** Disconnects the phones; typists end when their server closes. */
  async detach(): Promise<void> {
    this.collect();
    // A fleet on a dead server: its typists' samples so far belong to the phase.
    this.collectTypists();
    this.typistLatency = undefined;
    this.typistCounters = undefined;
    await this.fleet?.stop();
    this.fleet = undefined;
  }

  /** Moves the typists' samples since the last call into the phase (their fleet keeps its own). */
  private collectTypists(): void {
    if (this.typistLatency?.count) this.phase.typistLatencies.push(...this.typistLatency.toArray());
    this.typistLatency?.clear();
    if (this.typistCounters) {
      this.phase.suggestions += this.typistCounters.suggestions - this.typistSuggestionsBaseline;
      this.typistSuggestionsBaseline = this.typistCounters.suggestions;
    }
  }

  private countError(code: string, n = 1): void {
    inc(this.phase.errors, code, n);
    inc(this.allErrors, code, n);
  }

  /** Moves error counts seen since the last call into the phase. */
  private collect(): void {
    const add = (now: Tally, baseline: Tally) => {
      for (const [code, n] of Object.entries(now)) {
        const d = n - (baseline[code] ?? 0);
        if (d > 0) this.countError(code, d);
        baseline[code] = n;
      }
    };
    if (this.fleet) add(this.fleet.counters().errors as Tally, this.fleetBaseline);
    if (this.typistCounters) add(this.typistCounters.errors, this.typistBaseline);
  }
}

function emptyPhase(): PhaseSamples {
  return { latencies: [], serverLatencies: [], times: [], durationMs: 0, typistLatencies: [], suggestions: 0, errors: {} };
}
