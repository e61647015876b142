// `npm run bench -- soak --phones N [--typists M] --minutes T`: a long run of real-time phones
// (and typists on /ws/text) against a server in its own process, sampling its /metrics every
// few seconds: RSS, heap (used, and live after the last full GC), external memory, TensorFlow.js
// tensors and bytes (main thread, and the inference worker's), event-loop lag, prediction latency.
// The last stdout line is JSON with the per-minute slopes after the warm-up (Theil-Sen: the
// median of the slopes between every pair of samples, so one stall of a busy machine does not
// tilt the trend) and the worst values: flat memory and tensors mean nothing leaks.
// --hostile adds the hostile mix of `npm run bench -- fuzz` (bench/hostile/) for the whole run, at
// a steady rate, in its own process; the verdict then asks for flat RSS, live heap and tensors in
// the second half and a server still alive at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCommand, CliError, parseOptions } from '../cli/args.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import { PhoneFleet } from '../simulators/phone-fleet.js';
import { startServerProcess, type ServerProcess } from '../simulators/server-process.js';
import { percentiles } from '../simulators/latency-log.js';
import { startAttackProcess, type AttackProcess } from './hostile/attack-process.js';
import { assertLoopback, type HostileSummary } from './hostile/hostile-mix.js';
import { aggregate, printHostileReport, reportFigures } from './hostile/summary.js';

export const spec = defineCommand({
  usage: 'npm run bench -- soak [--phones N] [--typists M] [--minutes T] [--hostile] [--url URL]',
  summary: 'Soak test: real-time phones (and typists) for T minutes; memory, tensors, lag and p99 latency over time, with their slopes.',
  options: {
    phones: { type: 'integer', min: 0, max: 5000, default: 200, description: 'phones streaming 50 Hz in real time' },
    typists: { type: 'integer', min: 0, max: 2000, default: 0, description: 'simulated typists on /ws/text (simulators/typist-fleet.ts)' },
    minutes: { type: 'number', min: 0.2, max: 24 * 60, description: 'how long to run (default 5; 30 with --hostile)' },
    hostile: { type: 'boolean', default: false, description: 'hostile clients on every endpoint for the whole run (bench/hostile/, as in `bench fuzz`), loopback only' },
    'hostile-rate': { type: 'number', min: 1, max: 10_000, default: 50, description: '--hostile: frames (requests) per second per endpoint' },
    seed: { type: 'integer', min: 0, default: 1, description: '--hostile: seed of the hostile generators' },
    'sample-seconds': { type: 'number', min: 1, max: 600, default: 10, description: 'seconds between samples of /metrics' },
    'warmup-seconds': { type: 'number', min: 0, max: 600, default: 30, description: 'samples in the first seconds are shown but not used for slopes' },
    url: { type: 'string', description: 'http(s) URL of a running server (default: start one in a child process on 127.0.0.1)' },
    token: { type: 'string', description: 'token for a server that requires one' },
    model: { type: 'string', choices: ['auto', 'trained', 'untrained'], default: 'auto', description: 'child server: HAR model' },
    'frames-per-second': { type: 'number', min: 1, max: 50, default: 4, description: 'frames per phone per second' },
  },
  notes: [
    'Columns: minute, RSS MB, heap used MB, live heap MB (old generation after the last full GC; "-" before the first), external MB (Buffers, ArrayBuffers, WASM), tensors (main thread), inference worker tensors (HAR model; "-" without a worker), text worker tensors (the text models\' step worker), tf MB (main thread), event-loop lag p99 ms, prediction latency p99 ms (server side, this interval), predictions/s.',
    'Last stdout line: {"phones","typists","minutes","samples","start":{...},"end":{...},"slopesPerMinute":{"rssMb","heapMb","liveMb","externalMb","tensors","workerTensors","textTensors","tfMb","lagP99Ms","latencyP99Ms"},"secondHalfSlopesPerMinute":{...},"heapFloorMbSlopePerMinute","max":{...},"predictions","errors","typing"}.',
    'With --hostile the line also has "hostile":{"perEndpoint","typedErrors","internalErrors","http","nonReaders","slowHttp"}, "serverAlive" and "verdict":{"rssFlat","liveHeapFlat","tensorsFlat","serverAlive","pass"}: flat = second-half slope at most 2 MB/min (RSS), 1 MB/min (live heap), 0.5 tensors/min (main thread and worker).',
    'A leak shows in liveMb: heapMb is a sawtooth of garbage and its per-minute floor (heapFloorMbSlopePerMinute) drifts with GC timing. A slope is null when the server does not report that figure.',
  ].join('\n'),
});

interface Sample {
  minute: number;
  rssMb: number;
  heapMb: number;
  /** NaN until the server's first full GC (or from a server without the gauge). */
  liveMb: number;
  externalMb: number;
  tensors: number;
  /** The inference worker's tensors; NaN when the model runs in the main thread. */
  workerTensors: number;
  /** The text models' step worker's tensors; NaN from a server without the gauge. */
  textTensors: number;
  tfMb: number;
  lagP99Ms: number;
  latencyP99Ms: number;
  predictionsPerSec: number;
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const phones = o.phones;
  const typists = o.typists;
  const minutes = o.minutes === undefined ? (o.hostile ? 30 : 5) : o.minutes;
  const seconds = minutes * 60;
  if (phones + typists === 0) throw new CliError('nothing to run: give --phones and/or --typists');
  const headers: Record<string, string> = o.token ? { authorization: `Bearer ${o.token}` } : {};

  let server: ServerProcess | undefined;
  let httpUrl = o.url === undefined ? undefined : o.url.replace(/\/$/, '');
  if (o.hostile && httpUrl !== undefined) assertLoopback(httpUrl);
  // Hostile clients start recordings: those go to a temporary folder.
  const recordingsDir = o.hostile && httpUrl === undefined ? mkdtempSync(join(tmpdir(), 'sensorium-soak-')) : undefined;
  if (httpUrl === undefined) {
    console.error(`soak: starting a server process for ${phones} phones…`);
    server = await startServerProcess({
      harModel: o.model,
      maxDevices: phones + 16,
      overrides: { maxConnections: phones + typists + 64, ...(recordingsDir ? { recording: { dir: recordingsDir } } : {}) },
    });
    httpUrl = server.httpUrl;
  }
  let serverExited = false;
  void server?.exited.then(() => (serverExited = true));
  const deviceUrl = `${httpUrl.replace(/^http/, 'ws')}/ws/device${o.token ? `?token=${encodeURIComponent(o.token)}` : ''}`;
  const scrape = () => fetch(`${httpUrl}/metrics`, { headers }).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`/metrics answered ${r.status}`))));
  await scrape(); // fail early on a wrong URL or token

  let fleet: PhoneFleet | undefined;
  let typing: Promise<TypistSummary> | undefined;
  let typistResult: TypistSummary | undefined;
  const samples: Sample[] = [];
  let attack: AttackProcess | undefined;
  let hostileSummary: HostileSummary | undefined;
  let serverAlive = true;
  const started = performance.now();
  try {
    if (phones > 0) {
      console.error(`soak: connecting ${phones} phones…`);
      fleet = await PhoneFleet.start({ url: deviceUrl, count: phones, rateHz: 50, framesPerSecond: o['frames-per-second'], connectConcurrency: 50, latencyCapacity: 4096 });
    }
    if (typists > 0) typing = startTypists(httpUrl, typists, seconds);
    if (o.hostile) {
      console.error(`soak: hostile clients on every endpoint, ${o['hostile-rate']} frames/s each`);
      const deviceIds = Array.from({ length: 8 }, (_, i) => `sim-phone-${String(i + 1).padStart(4, '0')}`);
      attack = startAttackProcess({ httpUrl, framesPerEndpoint: Infinity, rate: o['hostile-rate'], maxSeconds: seconds, seed: o.seed, deviceIds });
    }
    console.error(`soak: running ${minutes} min; a row every ${o['sample-seconds']} s`);
    printTable(['minute', 'rssMb', 'heapMb', 'liveMb', 'extMb', 'tensors', 'wTensors', 'textTensors', 'tfMb', 'lagP99Ms', 'latP99Ms', 'pred/s'], [], console.error);
    let lastPredictions = 0;
    let lastAt = performance.now();
    while (performance.now() - started < seconds * 1000) {
      await new Promise((r) => setTimeout(r, o['sample-seconds'] * 1000));
      let text: string;
      try {
        text = await scrape();
      } catch (err) {
        // A server that died (or stopped answering) ends the run; the verdict says so.
        serverAlive = false;
        console.error(`soak: the server ${serverExited ? 'EXITED' : 'stopped answering'}: ${err instanceof Error ? err.message : String(err)}`);
        break;
      }
      const m = parseMetrics(text);
      const now = performance.now();
      const predictions = m.get('sensorium_predictions_total') ?? 0;
      const latency = fleet ? percentiles(fleet.recent.server) : undefined;
      fleet?.recent.clear();
      const s: Sample = {
        minute: (now - started) / 60_000,
        rssMb: (m.get('process_resident_memory_bytes') ?? 0) / 2 ** 20,
        heapMb: (m.get('nodejs_heap_size_used_bytes') ?? 0) / 2 ** 20,
        liveMb: (m.get('sensorium_heap_live_bytes') ?? NaN) / 2 ** 20,
        externalMb: (m.get('nodejs_external_memory_bytes') ?? 0) / 2 ** 20,
        tensors: m.get('sensorium_tf_tensors') ?? 0,
        workerTensors: m.get('sensorium_inference_tf_tensors') ?? NaN,
        textTensors: m.get('sensorium_text_tf_tensors') ?? NaN,
        tfMb: (m.get('sensorium_tf_bytes') ?? 0) / 2 ** 20,
        lagP99Ms: (m.get('nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000,
        latencyP99Ms: latency?.p99 ?? 0,
        predictionsPerSec: (predictions - lastPredictions) / ((now - lastAt) / 1000),
      };
      lastPredictions = predictions;
      lastAt = now;
      samples.push(s);
      console.error(
        [
          s.minute.toFixed(2),
          s.rssMb.toFixed(1),
          s.heapMb.toFixed(1),
          Number.isFinite(s.liveMb) ? s.liveMb.toFixed(1) : '-',
          s.externalMb.toFixed(1),
          s.tensors,
          Number.isFinite(s.workerTensors) ? s.workerTensors : '-',
          Number.isFinite(s.textTensors) ? s.textTensors : '-',
          s.tfMb.toFixed(2),
          s.lagP99Ms.toFixed(1),
          s.latencyP99Ms.toFixed(1),
          s.predictionsPerSec.toFixed(0),
        ].join('\t'),
      );
    }
  } finally {
    attack?.stop();
    hostileSummary = await attack?.done.catch((err: unknown) => {
      console.error(`soak: hostile clients: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
    if (serverExited) serverAlive = false;
    await fleet?.stop();
    typistResult = await typing?.catch((err: unknown) => {
      console.error(`soak: typists: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
    await server?.close();
    if (recordingsDir) rmSync(recordingsDir, { recursive: true, force: true });
  }
  if (samples.length === 0) throw new Error(`no sample of /metrics was taken${serverAlive ? '' : ' (the server died)'}`);

  const measured = samples.filter((s) => s.minute * 60 >= o['warmup-seconds']);
  const use = measured.length >= 2 ? measured : samples;
  const keys = ['rssMb', 'heapMb', 'liveMb', 'externalMb', 'tensors', 'workerTensors', 'textTensors', 'tfMb', 'lagP99Ms', 'latencyP99Ms'] as const;
  const slopes = Object.fromEntries(
    keys.map((k) => [
      k,
      knownSlope(
        use.map((s) => s.minute),
        use.map((s) => s[k]),
      ),
    ]),
  );
  // Memory settles over the first minutes (heap growth, allocator pools), so the second half
  // says more about a leak than the whole run. The live heap (old generation right after a full
  // GC) is the leak signal; the per-minute floor of heap used is kept for older servers and for
  // comparison, but it only meets the live heap when a sample happens to follow a full GC.
  const late = use.filter((s) => s.minute >= use[0]!.minute + (use.at(-1)!.minute - use[0]!.minute) / 2);
  const lateSlopes = Object.fromEntries(
    keys.map((k) => [
      k,
      knownSlope(
        late.map((s) => s.minute),
        late.map((s) => s[k]),
      ),
    ]),
  );
  const floors = heapFloorPerMinute(use);
  const max = Object.fromEntries(keys.map((k) => [k, Math.max(...use.map((s) => s[k]).filter(Number.isFinite))]));
  const counters = fleet?.counters();
  let hostile: Record<string, unknown> = {};
  if (o.hostile) {
    const agg = aggregate(hostileSummary ? [hostileSummary] : []);
    printHostileReport(agg, console.error, (h, rows) => printTable(h, rows, console.error));
    const flat = (v: unknown, limit: number) => v === null || (typeof v === 'number' && v <= limit);
    const verdict = {
      rssFlat: flat(lateSlopes.rssMb, 2),
      liveHeapFlat: flat(lateSlopes.liveMb, 1),
      tensorsFlat: flat(lateSlopes.tensors, 0.5) && flat(lateSlopes.workerTensors, 0.5) && flat(lateSlopes.textTensors, 0.5),
      serverAlive,
    };
    hostile = { hostile: { frames: agg.frames, ...reportFigures(agg) }, serverAlive, verdict: { ...verdict, pass: Object.values(verdict).every(Boolean) } };
  }
  printResultJson(
    roundDeep({
      phones,
      typists,
      minutes,
      samples: use.length,
      start: use[0],
      end: use.at(-1),
      slopesPerMinute: slopes,
      secondHalfSlopesPerMinute: lateSlopes,
      heapFloorMbSlopePerMinute: slope(
        floors.map((f) => f.minute),
        floors.map((f) => f.heapMb),
      ),
      max,
      predictions: counters?.predictions ?? 0,
      errors: counters?.errors ?? {},
      typing: typistResult,
      ...hostile,
    }),
  );
}

interface TypistSummary {
  keystrokes: number;
  suggestions: number;
  latencyP99Ms: number;
  errors: Record<string, number>;
}

/** Typists from simulators/typist-fleet.ts on the server's /ws/text, for `seconds`. */
async function startTypists(httpUrl: string, typists: number, seconds: number): Promise<TypistSummary> {
  const [{ runTypists }, { joinDocuments, loadCorpus }] = await Promise.all([import('../simulators/typist-fleet.js'), import('../data/corpora/index.js')]);
  const text = joinDocuments(loadCorpus('english').validation).replace(/\s+/g, ' ');
  const r = await runTypists({ url: httpUrl, text, typists, wpm: 40, seconds, charsPerTypist: 1_000_000, seed: 1 });
  return { keystrokes: r.counters.keystrokes, suggestions: r.counters.suggestions, latencyP99Ms: r.latency.percentile(99), errors: r.counters.errors };
}

/** Unlabelled sample lines of a Prometheus text exposition (name -> value). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** The lowest heap seen in each whole minute of the run (at the minute's middle). */
export function heapFloorPerMinute(samples: readonly { minute: number; heapMb: number }[]): { minute: number; heapMb: number }[] {
  const floors = new Map<number, number>();
  for (const s of samples) {
    const m = Math.floor(s.minute);
    floors.set(m, Math.min(floors.get(m) ?? Infinity, s.heapMb));
  }
  return [...floors].map(([m, heapMb]) => ({ minute: m + 0.5, heapMb }));
}

/** Theil-Sen slope over the points whose y is known (finite); null with fewer than two of them. */
export function knownSlope(x: number[], y: number[]): number | null {
  const keep = y.flatMap((v, i) => (Number.isFinite(v) ? [i] : []));
  return keep.length < 2
    ? null
    : slope(
        keep.map((i) => x[i]!),
        keep.map((i) => y[i]!),
      );
}

/** Theil-Sen slope of y over x: the median of the pairwise slopes (0 with fewer than two points). */
export function slope(x: number[], y: number[]): number {
  const pairs: number[] = [];
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) if (x[j] !== x[i]) pairs.push((y[j]! - y[i]!) / (x[j]! - x[i]!));
  if (pairs.length === 0) return 0;
  pairs.sort((a, b) => a - b);
  const mid = pairs.length >> 1;
  return pairs.length % 2 ? pairs[mid]! : (pairs[mid - 1]! + pairs[mid]!) / 2;
}
