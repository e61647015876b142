// `npm run bench -- har-stream`: the streaming HAR server under a fleet of simulated phones on
// loopback. Modes:
//  - default: N phones at 50 Hz in real time (4 frames/s of 13 samples each) for S seconds,
//    from the lean load generator (lean-fleet.ts: synthetic-phone signal, cheap to send);
//    served windows/s, latency (last sample of a window in -> label out, server-side), mean
//    batch, server RSS;
//  - --ramp 250,500,1000: the same for several fleet sizes; reports the largest fleet held with
//    p99 <= 100 ms;
//  - --compare: more load than the server can serve (closed-loop lean phones faster than real time),
//    served windows/s with batching and with --max-batch 1, and the bare model's batch-64
//    throughput for reference.
// The server runs in a child process by default (--server in-process to share this process).
import { setTimeout as sleep } from 'node:timers/promises';
import { cpus, loadavg } from 'node:os';
import { defineCommand, CliError, parseOptions, type OptionValues } from '../cli/args.js';
import { backendOption } from '../cli/backend-option.js';
import { formatNumber } from '../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import { HarClassifier, ModelNotFoundError } from '../models/har/classifier.js';
import { initBackend } from '../models/runtime/backend.js';
import { DEFAULT_CONFIG } from '../server/config.js';
import { startLocalServer, type LocalServerOptions } from '../simulators/local-server.js';
import { PhoneFleet } from '../simulators/phone-fleet.js';
import { LeanFleet } from './lean-fleet.js';
import { preparePersonalHeadsInChild } from './personal-heads.js';
import { startServerProcess } from '../simulators/server-process.js';
import { snapshotDelta, takeSnapshot, type ServerSnapshot } from '../simulators/server-snapshot.js';
import { reportFleetStatus } from '../simulators/status-line.js';

export const spec = defineCommand({
  usage: 'npm run bench -- har-stream [--phones N] [--seconds S] [--max-batch B] [--compare | --ramp N1,N2,…]',
  summary: 'Simulated phones against the streaming HAR server on 127.0.0.1: throughput, latency, batching.',
  options: {
    phones: { type: 'integer', min: 1, max: 20_000, default: 1000, description: 'phones (50 Hz, real time)' },
    seconds: { type: 'number', min: 1, max: 3600, default: 20, description: 'measured seconds (per run)' },
    'warmup-seconds': { type: 'number', aliases: ['warmup'], min: 0, max: 120, default: 5, description: 'seconds of streaming before measuring' },
    'max-batch': { type: 'integer', min: 1, max: 1024, description: `server's largest inference batch (default ${DEFAULT_CONFIG.batching.maxBatch})` },
    'max-delay-ms': { type: 'number', min: 0, max: 1000, description: `server's longest batching wait (default ${DEFAULT_CONFIG.batching.maxDelayMs})` },
    'max-queue': { type: 'integer', min: 1, description: `server's inference queue bound (default ${DEFAULT_CONFIG.batching.maxQueue})` },
    'inference-worker': {
      type: 'string',
      choices: ['auto', 'on', 'off'],
      default: DEFAULT_CONFIG.inferenceWorker,
      description: "run the server's model in a worker thread (auto: with >= 2 cores on WASM/CPU)",
    },
    compare: { type: 'boolean', default: false, description: 'saturate the server; served windows/s batched vs --max-batch 1' },
    ramp: { type: 'string', description: 'fleet sizes to run one after another, e.g. 250,500,1000,2000' },
    server: { type: 'string', choices: ['child', 'in-process'], default: 'child', description: 'run the server in a child process or in this one' },
    encoding: { type: 'string', choices: ['json', 'msgpack'], default: 'json', description: 'frame encoding' },
    loadgen: {
      type: 'string',
      choices: ['lean', 'phones'],
      default: 'lean',
      description: "'lean' replays pre-formatted synthetic-phone signal (bench/lean-fleet.ts: cheap, so the server is what is measured), 'phones' runs the simulator's PhoneFleet",
    },
    'frames-per-second': { type: 'number', min: 1, max: 50, default: 4, description: 'frames per phone per device-second (4 = ~12 samples a frame; 10 = 5 samples)' },
    'compare-phones': { type: 'integer', min: 1, max: 5000, default: 32, description: '--compare: phones streaming faster than real time' },
    'in-flight': { type: 'integer', min: 1, max: 64, default: 6, description: '--compare: windows each phone keeps awaiting a prediction' },
    personalised: {
      type: 'number',
      min: 0,
      max: 1,
      default: 0,
      description: 'share of the phones with a personal head stored before they connect (0.5: every other phone); their predictions come from it',
    },
    'bare-seconds': { type: 'number', min: 0, max: 60, default: 5, description: '--compare: seconds to time the bare model at batch 64, and again at batch 1 (0 = skip)' },
    backend: backendOption,
  },
  notes: [
    "Latency is server-side (prediction.latencyMs: the frame holding a window's last sample arrived -> prediction sent);",
    'client-side latency (frame sent -> prediction received) is reported too. Only 127.0.0.1 is targeted; every run stops by itself.',
    'Last stdout line: {"phones","windowsPerSec","latencyMs":{"p50","p99"},"meanBatch","rssMb"}; with --compare',
    '{"batched","unbatched","ratio"}; with --ramp {"runs":[…],"largestFleetP99Under100ms"}.',
  ].join('\n'),
});

type Options = OptionValues<typeof spec.options>;

interface ServerUnderTest {
  where: 'child' | 'in-process';
  deviceUrl: string;
  snapshot(): Promise<ServerSnapshot>;
  close(): Promise<void>;
}

async function startServerUnderTest(where: string, opts: Omit<LocalServerOptions, 'log'>): Promise<ServerUnderTest> {
  if (where === 'in-process') {
    const local = await startLocalServer({ ...opts, log: (m) => console.error(`server: ${m}`) });
    return { where: 'in-process', deviceUrl: local.deviceUrl, snapshot: async () => takeSnapshot(local.server), close: () => local.close() };
  }
  const child = await startServerProcess(opts);
  return { where: 'child', deviceUrl: child.deviceUrl, snapshot: () => child.snapshot(), close: () => child.close() };
}

const nullIfNaN = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The folder of the personal heads written for --personalised (undefined: none). */
let personalDir: string | undefined;

function serverOptions(o: Options, maxDevices: number, extra: Partial<LocalServerOptions> = {}): Omit<LocalServerOptions, 'log'> {
  const batching: Record<string, number> = {};
  if (o['max-batch'] !== undefined) batching.maxBatch = o['max-batch'];
  if (o['max-delay-ms'] !== undefined) batching.maxDelayMs = o['max-delay-ms'];
  if (o['max-queue'] !== undefined) batching.maxQueue = o['max-queue'];
  const inferenceWorker = o['inference-worker'];
  if (personalDir !== undefined) extra = { ...extra, overrides: { ...extra.overrides, personal: { ...DEFAULT_CONFIG.personal, dir: personalDir } } };
  // The server's connection cap (4096 by default) must not be what limits a large fleet.
  const maxConnections = Math.max(DEFAULT_CONFIG.maxConnections, maxDevices + 100);
  return { backend: o.backend, harModel: 'auto', maxDevices, ...extra, overrides: { batching, inferenceWorker, maxConnections, ...extra.overrides } };
}

/** Share of one core a busy loop gets right now (1 = an idle core; less on a busy machine). */
function probeCpuShare(ms = 1000): number {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() - t0 < ms) {
    /* spin */
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / (performance.now() - t0);
}

let cpuAvailable = NaN;

interface FleetRun {
  phones: number;
  connected: number;
  windowsPerSec: number;
  expectedWindowsPerSec: number;
  latencyMs: { p50: number; p99: number };
  clientLatencyMs: { p50: number; p99: number };
  meanBatch: number;
  rssMb: number;
  serverCpu: number;
  loadgenCpu: number;
  framesPerSec: number;
  errors: Record<string, number>;
  /** Share of the predictions made by personal heads. */
  personalShare: number;
}

/** Streams `phones` real-time phones at the server for warmup + seconds and measures the second part. */
async function measureFleet(server: ServerUnderTest, phones: number, o: Options): Promise<FleetRun> {
  const fps = o['frames-per-second'];
  console.error(`har-stream: connecting ${phones} phones to ${server.deviceUrl} (server ${server.where})…`);
  const fleet =
    o.loadgen === 'lean'
      ? await LeanFleet.start({ url: server.deviceUrl, count: phones, rateHz: 50, framesPerSecond: fps, seed: phones, connectConcurrency: 100 })
      : await PhoneFleet.start({ url: server.deviceUrl, count: phones, rateHz: 50, framesPerSecond: fps, encoding: o.encoding, seed: phones, connectConcurrency: 100 });
  try {
    console.error(`har-stream: ${fleet.counters().connected} connected in ${fleet.elapsedSeconds.toFixed(1)} s; warming up ${o['warmup-seconds']} s`);
    // The first window needs 2.56 s of samples; measure only once every phone is predicting.
    await sleep(o['warmup-seconds'] * 1000);
    fleet.latency.clear();
    const s0 = await server.snapshot();
    const c0 = fleet.counters();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const seconds = o.seconds;
    const stopStatus = reportFleetStatus(fleet, 5000);
    await sleep(seconds * 1000);
    stopStatus();
    const elapsed = (performance.now() - t0) / 1000;
    const c1 = fleet.counters();
    const s1 = await server.snapshot();
    const cpu = process.cpuUsage(cpu0);
    const d = snapshotDelta(s0, s1);
    const serverLatency = fleet.latency.server.summary();
    const clientLatency = fleet.latency.client.summary();
    return {
      phones,
      connected: c1.connected,
      windowsPerSec: (c1.predictions - c0.predictions) / elapsed,
      expectedWindowsPerSec: (c1.connected * 50) / 64,
      latencyMs: { p50: serverLatency.p50, p99: serverLatency.p99 },
      clientLatencyMs: { p50: clientLatency.p50, p99: clientLatency.p99 },
      meanBatch: d.meanBatch,
      rssMb: s1.rssMb,
      serverCpu: server.where === 'child' ? d.cpuShare : NaN,
      loadgenCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
      framesPerSec: (c1.framesSent - c0.framesSent) / elapsed,
      errors: c1.errors as Record<string, number>,
      personalShare: c1.predictions > c0.predictions ? ((c1.personalPredictions ?? 0) - (c0.personalPredictions ?? 0)) / (c1.predictions - c0.predictions) : 0,
    };
  } finally {
    await fleet.stop();
  }
}

/** Server CPU time per served window (ingest + inference + reply): what a core's capacity hinges on. */
function cpuMsPerWindow(r: FleetRun): number {
  return r.windowsPerSec > 0 ? (1000 * r.serverCpu) / r.windowsPerSec : NaN;
}

function printRuns(runs: FleetRun[]): void {
  printTable(
    ['phones', 'windows/s', 'expected', 'p50 ms', 'p99 ms', 'client p99', 'mean batch', 'server RSS MB', 'server CPU', 'CPU ms/window', 'loadgen CPU', 'frames/s', 'personal', 'errors'],
    runs.map((r) => [
      r.phones,
      r.windowsPerSec,
      r.expectedWindowsPerSec,
      r.latencyMs.p50,
      r.latencyMs.p99,
      r.clientLatencyMs.p99,
      r.meanBatch,
      r.rssMb,
      Number.isNaN(r.serverCpu) ? 'n/a' : `${(100 * r.serverCpu).toFixed(0)}%`,
      Number.isNaN(r.serverCpu) ? 'n/a' : cpuMsPerWindow(r),
      `${(100 * r.loadgenCpu).toFixed(0)}%`,
      r.framesPerSec,
      `${(100 * r.personalShare).toFixed(0)}%`,
      Object.entries(r.errors)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-',
    ]),
  );
}

async function runSingle(o: Options): Promise<void> {
  const phones = o.phones;
  const server = await startServerUnderTest(o.server, serverOptions(o, phones + 50));
  let run: FleetRun;
  try {
    run = await measureFleet(server, phones, o);
  } finally {
    await server.close();
  }
  console.log('');
  printRuns([run]);
  printResultJson(
    roundDeep(
      {
        phones: run.phones,
        windowsPerSec: run.windowsPerSec,
        latencyMs: run.latencyMs,
        meanBatch: run.meanBatch,
        rssMb: run.rssMb,
        clientLatencyMs: run.clientLatencyMs,
        server: o.server,
        inferenceWorker: o['inference-worker'],
        errors: run.errors,
        personalised: o.personalised,
        personalShare: run.personalShare,
        serverCpuShare: nullIfNaN(run.serverCpu),
        serverCpuMsPerWindow: nullIfNaN(cpuMsPerWindow(run)),
        cpuAvailable,
        loadAvg1m: loadavg()[0],
      },
      2,
    ),
  );
}

async function runRamp(o: Options, ramp: string): Promise<void> {
  const sizes = ramp.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 20_000)) throw new CliError(`--ramp must list fleet sizes (1-20000), e.g. 250,500,1000 (got '${ramp}')`);
  const server = await startServerUnderTest(o.server, serverOptions(o, Math.max(...sizes) + 50));
  const runs: FleetRun[] = [];
  try {
    for (const n of sizes) {
      runs.push(await measureFleet(server, n, o));
      await sleep(2000); // let the server forget the previous fleet
    }
  } finally {
    await server.close();
  }
  console.log('');
  printRuns(runs);
  const held = runs.filter((r) => r.latencyMs.p99 <= 100 && r.connected === r.phones && r.windowsPerSec >= 0.95 * r.expectedWindowsPerSec);
  const largest = held.length ? Math.max(...held.map((r) => r.phones)) : 0;
  console.log(`\nlargest fleet held with p99 <= 100 ms (all connected, >= 95% of windows served): ${largest || 'none'}`);
  printResultJson(
    roundDeep(
      {
        personalised: o.personalised,
        runs: runs.map((r) => ({
          phones: r.phones,
          windowsPerSec: r.windowsPerSec,
          latencyMs: r.latencyMs,
          meanBatch: r.meanBatch,
          personalShare: r.personalShare,
          rssMb: r.rssMb,
          serverCpuShare: nullIfNaN(r.serverCpu),
          serverCpuMsPerWindow: nullIfNaN(cpuMsPerWindow(r)),
        })),
        largestFleetP99Under100ms: largest,
        server: o.server,
        inferenceWorker: o['inference-worker'],
        cpuAvailable,
        loadAvg1m: loadavg()[0],
      },
      2,
    ),
  );
}

interface BareRun {
  perSec: number;
  perCpuSec: number;
}

/**
 * The bare model: windows/s of predict() at each batch size on random windows, after a warm-up.
 * Batch 64 is the reference for served throughput; batch 1 against batch 64 is the most that
 * batching can gain on this model (what batched/unbatched tends to at saturation).
 */
async function bareModelThroughput(backend: string, seconds: number, batches: readonly number[]): Promise<BareRun[]> {
  await initBackend(backend, (m) => console.error(m));
  let model: HarClassifier;
  try {
    model = await HarClassifier.load();
  } catch (err) {
    if (!(err instanceof ModelNotFoundError)) throw err;
    model = HarClassifier.untrained();
  }
  try {
    return batches.map((batch) => {
      const windows = new Float32Array(batch * model.windowSize * 3).map(() => Math.random() * 2 - 1);
      for (let i = 0; i < 3; i++) model.predict(windows, batch);
      let n = 0;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      while (performance.now() - t0 < seconds * 1000) {
        model.predict(windows, batch);
        n += batch;
      }
      const cpu = process.cpuUsage(cpu0);
      return { perSec: n / ((performance.now() - t0) / 1000), perCpuSec: n / ((cpu.user + cpu.system) / 1e6) };
    });
  } finally {
    model.dispose();
  }
}

interface SaturationRun {
  maxBatch: number;
  windowsPerSec: number;
  meanBatch: number;
  latencyMs: { p50: number; p99: number };
  overloaded: number;
  serverCpu: number;
}

/** Closed-loop phones keep the server's queue non-empty; what it serves is its capacity. */
async function measureSaturation(o: Options, maxBatch: number): Promise<SaturationRun> {
  const phones = o['compare-phones'];
  const inFlight = o['in-flight'];
  // The queue must hold every window in flight: a dropped window's 'overloaded' reply may be
  // rate-limited away, and the closed loop would stall on it.
  const maxQueue = o['max-queue'] !== undefined ? o['max-queue'] : Math.max(DEFAULT_CONFIG.batching.maxQueue, Math.ceil(1.5 * phones * inFlight));
  const batching = { maxBatch, maxQueue, ...(o['max-delay-ms'] !== undefined ? { maxDelayMs: o['max-delay-ms'] } : {}) };
  const server = await startServerUnderTest(o.server, serverOptions(o, phones + 50, { liftRateLimit: true, overrides: { batching } }));
  try {
    console.error(`har-stream: saturating the server (max batch ${maxBatch}) with ${phones} phones x ${o['in-flight']} windows in flight`);
    // Same message size as the real-time runs (default 4 frames per device-second, ~12 samples).
    const fps = o['frames-per-second'];
    const fleet =
      o.loadgen === 'lean'
        ? await LeanFleet.start({ url: server.deviceUrl, count: phones, rateHz: 50, framesPerSecond: fps, speed: 'max', maxInFlightWindows: inFlight, seed: 7 })
        : await PhoneFleet.start({ url: server.deviceUrl, count: phones, rateHz: 50, framesPerSecond: fps, speed: 'max', maxInFlightWindows: inFlight, encoding: o.encoding, seed: 7 });
    try {
      await sleep(o['warmup-seconds'] * 1000);
      fleet.latency.clear();
      const s0 = await server.snapshot();
      const c0 = fleet.counters();
      const t0 = performance.now();
      const stopStatus = reportFleetStatus(fleet, 5000);
      await sleep(o.seconds * 1000);
      stopStatus();
      const elapsed = (performance.now() - t0) / 1000;
      const c1 = fleet.counters();
      const s1 = await server.snapshot();
      const d = snapshotDelta(s0, s1);
      const lat = fleet.latency.server.summary();
      return {
        maxBatch,
        windowsPerSec: (c1.predictions - c0.predictions) / elapsed,
        meanBatch: d.meanBatch,
        latencyMs: { p50: lat.p50, p99: lat.p99 },
        overloaded: d.overloaded,
        serverCpu: d.cpuShare,
      };
    } finally {
      await fleet.stop();
    }
  } finally {
    await server.close();
  }
}

async function runCompare(o: Options): Promise<void> {
  const maxBatch = o['max-batch'] !== undefined ? o['max-batch'] : DEFAULT_CONFIG.batching.maxBatch;
  if (maxBatch === 1) throw new CliError('--compare compares --max-batch B (> 1) with 1: give a --max-batch above 1');
  const bareSeconds = o['bare-seconds'];
  // Timed first, alone, so that nothing else of ours competes for the cores.
  const [bareRun, bare1] = bareSeconds > 0 ? await bareModelThroughput(o.backend, bareSeconds, [64, 1]) : [];
  const bare = bareRun?.perSec ?? NaN;
  if (bareRun && bare1) {
    console.error(
      `har-stream: bare model, batch 64: ${formatNumber(bareRun.perSec)} windows/s (${formatNumber(bareRun.perCpuSec)} per CPU-second); batch 1: ${formatNumber(bare1.perSec)} windows/s (${formatNumber(bare1.perCpuSec)} per CPU-second)`,
    );
  }
  const batched = await measureSaturation(o, maxBatch);
  const unbatched = await measureSaturation(o, 1);
  console.log('');
  printTable(
    ['server', 'served windows/s', 'mean batch', 'p50 ms', 'p99 ms', 'overloaded', 'server CPU'],
    [batched, unbatched].map((r) => [
      `max batch ${r.maxBatch}`,
      r.windowsPerSec,
      r.meanBatch,
      r.latencyMs.p50,
      r.latencyMs.p99,
      r.overloaded,
      Number.isNaN(r.serverCpu) ? 'n/a' : `${(100 * r.serverCpu).toFixed(0)}%`,
    ]),
  );
  const ratio = batched.windowsPerSec / Math.max(unbatched.windowsPerSec, 1e-9);
  // On a shared machine the server may get less CPU than the bare model did: compare per CPU-second too.
  const servedPerCpuSec = batched.serverCpu > 0 ? batched.windowsPerSec / batched.serverCpu : NaN;
  const cpuEfficiency = bareRun && Number.isFinite(servedPerCpuSec) ? servedPerCpuSec / bareRun.perCpuSec : NaN;
  console.log(`\nbatched / unbatched = ${ratio.toFixed(2)}x`);
  if (bareRun) {
    console.log(
      `served (batched) / bare model at batch 64 = ${((100 * batched.windowsPerSec) / bare).toFixed(0)}% by wall clock` +
        (Number.isFinite(cpuEfficiency)
          ? `, ${(100 * cpuEfficiency).toFixed(0)}% per CPU-second (server ${formatNumber(servedPerCpuSec)} vs bare ${formatNumber(bareRun.perCpuSec)} windows per CPU-second)`
          : ''),
    );
  }
  printResultJson(
    roundDeep(
      {
        batched: batched.windowsPerSec,
        unbatched: unbatched.windowsPerSec,
        ratio,
        maxBatch,
        meanBatch: { batched: batched.meanBatch, unbatched: unbatched.meanBatch },
        bareBatch64: Number.isFinite(bare) ? bare : null,
        bareBatch1: bare1 ? bare1.perSec : null,
        // The most batching can gain on this model, per CPU-second (the batched/unbatched ceiling).
        bareBatchGain: bareRun && bare1 ? bareRun.perCpuSec / bare1.perCpuSec : null,
        servedOverBare: Number.isFinite(bare) ? batched.windowsPerSec / bare : null,
        servedOverBarePerCpuSec: Number.isFinite(cpuEfficiency) ? cpuEfficiency : null,
        server: o.server,
        inferenceWorker: o['inference-worker'],
        cpuAvailable,
        loadAvg1m: loadavg()[0],
      },
      3,
    ),
  );
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  // The machine may be shared: say how busy it was, since every figure below depends on it.
  cpuAvailable = probeCpuShare();
  console.error(
    `har-stream: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; a busy loop here gets ${(100 * cpuAvailable).toFixed(0)}% of a core`,
  );
  if (o.compare && o.ramp !== undefined) throw new CliError('--compare and --ramp are separate runs: give one of them');
  if (o.loadgen === 'lean' && o.encoding !== 'json') throw new CliError('the lean load generator sends JSON frames: for --encoding msgpack add --loadgen phones');
  if (o.compare) return runCompare(o);
  if (o.personalised > 0) {
    if (o.loadgen !== 'lean') throw new CliError('--personalised counts personal predictions with the lean load generator (--loadgen lean)');
    // Heads for every id the largest fleet uses (lean fleets name phones bench-phone-00001…).
    const phones = o.ramp !== undefined ? Math.max(...o.ramp.split(',').map(Number)) : o.phones;
    const ids = Array.from({ length: phones }, (_, i) => `bench-phone-${String(i + 1).padStart(5, '0')}`);
    const prepared = await preparePersonalHeadsInChild(ids, o.personalised, o.backend);
    personalDir = prepared.dir;
    console.error(`har-stream: ${prepared.count} of ${phones} phones have a personal head (${prepared.dir})`);
  }
  if (o.ramp !== undefined) return runRamp(o, o.ramp);
  return runSingle(o);
}
