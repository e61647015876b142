// `npm run bench -- cluster`: Sensorium as a cluster of processes on NATS under a fleet of
// real-time phones. Spawns nats-server, inference members and gateways (server/local-cluster,
// the launcher of `npm run cluster`), spreads the phones round-robin over the gateways (the lean
// load generator, bench/lean-fleet.ts: real WebSockets, real protocol), watches every device from
// a dashboard on ANOTHER gateway, and optionally SIGKILLs an inference member mid-run.
// Modes:
//  - default: the cluster; windows/s, latency, lost windows, failover, remote dashboard coverage,
//    CPU per window (all processes incl. nats-server);
//  - --single: the same load on one `npm start` process with the in-process bus (the default
//    deployment), for the bus's overhead;
//  - --compare-inference: saturation (closed-loop phones) with 2 inference members, then with 1
//    (the other stopped), in one run: windows/s each and the ratio.
import { setTimeout as sleep } from 'node:timers/promises';
import { cpus, loadavg } from 'node:os';
import { defineCommand, CliError, parseOptions, type OptionValues } from '../cli/args.js';
import { formatNumber } from '../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import { RollingSamples } from '../lib/rolling-samples.js';
import { LocalCluster } from '../server/local-cluster/local-cluster.js';
import { NodeProcess } from '../server/local-cluster/node-process.js';
import type { FleetCounters } from '../simulators/phone-fleet.js';
import { RemoteDashboards } from './cluster-dashboards.js';
import { PredictionGaps } from './cluster-gaps.js';
import { LeanFleet } from './lean-fleet.js';

const RATE_HZ = 50;
const WINDOW_HOP = 64;
/** One prediction per hop: the cadence a phone normally hears from the server. */
const CADENCE_MS = (WINDOW_HOP / RATE_HZ) * 1000;
/** Error replies this soon after the kill are attributed to it. */
const AFTER_KILL_MS = 5000;

export const spec = defineCommand({
  usage: 'npm run bench -- cluster [--gateways 2] [--inference 2] [--phones N] [--seconds S] [--kill-inference-at T] [--single | --compare-inference]',
  summary:
    'Real-time phones against a local cluster (nats-server, inference members, gateways as processes): windows/s, latency, lost windows, failover after killing an inference member, remote dashboards, CPU per window.',
  options: {
    gateways: { type: 'integer', min: 1, max: 16, default: 2, description: 'gateway processes; phones are spread over them round-robin' },
    inference: { type: 'integer', min: 1, max: 16, default: 2, description: 'inference processes (one NATS queue group)' },
    phones: { type: 'integer', min: 1, max: 20_000, default: 500, description: 'phones (50 Hz, real time, 4 frames/s)' },
    seconds: { type: 'number', min: 1, max: 3600, default: 30, description: 'measured seconds' },
    'warmup-seconds': { type: 'number', aliases: ['warmup'], min: 0, max: 120, default: 5, description: 'seconds of streaming before measuring (the first window needs 2.56 s)' },
    'kill-inference-at': { type: 'number', min: 0, max: 3600, description: 'SIGKILL inference-1 this many seconds into the measured period' },
    'drain-seconds': { type: 'number', min: 0, max: 60, default: 4, description: 'after the phones stop sending, how long windows in flight may take to come back before lost windows are counted' },
    dashboards: {
      type: 'boolean',
      default: true,
      description: 'watch every device from a dashboard on another gateway (--no-dashboards: none, to see what the live view costs; dashboardCoverage is then null)',
    },
    single: { type: 'boolean', default: false, description: 'the same load on one process with the in-process bus (npm start, the default deployment); its dashboard is on the same process' },
    'compare-inference': {
      type: 'boolean',
      default: false,
      description: 'saturate the cluster with closed-loop phones; served windows/s with 2 inference members, then with 1 (inference-2 stopped), and the ratio',
    },
    'saturate-phones': { type: 'integer', min: 1, max: 5000, default: 64, description: '--compare-inference: closed-loop phones, faster than real time' },
    'in-flight': { type: 'integer', min: 1, max: 64, default: 6, description: '--compare-inference: windows each phone keeps awaiting a prediction' },
    model: { type: 'string', choices: ['trained', 'untrained', 'auto'], default: 'auto', description: 'HAR model (auto: trained if present)' },
    'bus-request-timeout-ms': { type: 'integer', min: 10, max: 60_000, description: 'gateways: wait for an inference reply before retrying another member (server default 1000)' },
    nats: { type: 'string', description: 'use this NATS (nats://HOST:PORT) instead of spawning nats-server (its CPU is then not counted)' },
  },
  notes: [
    'Definitions (the README\'s "Running a cluster" quotes figures):',
    '  windowsPerSec          predictions the phones received per second of the measured period',
    '  expectedWindowsPerSec  phones x 50/64 (one window per hop of 64 samples at 50 Hz)',
    '  latencyMs              server-side, over the measured period: prediction.latencyMs (the frame completing a window',
    '                         arrived at the gateway -> its prediction sent)',
    '  lostWindows            per phone, the windows its samples make (128 samples, hop 64, from its first sample) minus the',
    '                         predictions it received, summed over phones (never negative), counted --drain-seconds after the',
    '                         phones stop sending; lostByClosedPhones: those of phones the server closed (shed as overloaded),',
    '                         lostByConnectedPhones the rest; windowsRefusedByGateways: windows refused `overloaded`',
    '  failoverMs             after the kill, the longest time any phone waited for its next prediction beyond the normal',
    '                         cadence of 1,280 ms: max over the phones still connected at the end of (the longest interval',
    '                         between consecutive predictions that ends after the kill, or from its last prediction to the end',
    '                         of sending) - 1,280 ms, at least 0; null without a kill. baselineGapExcessMs: the same before the',
    '                         kill (frame timing and latency jitter alone)',
    '  dashboardCoverage      of the devices that received predictions, the share with at least one prediction seen by a',
    "                         dashboard on another gateway than the device's (--single: on the same process)",
    '  cpuMsPerWindow         CPU time of every server process and nats-server in the measured period (from /proc) /',
    '                         predictions received; the load generator is not counted',
    'Last stdout line: {"phones","windowsPerSec","expectedWindowsPerSec","latencyMs":{"p50","p99"},"lostWindows","failoverMs",',
    '"dashboardCoverage",…}; with --compare-inference {"phones","inference2":{…},"inference1":{…},"ratio"}.',
  ].join('\n'),
});

type Options = OptionValues<typeof spec.options>;

/** What the benchmark drives: the cluster or the single process. */
interface Deployment {
  mode: 'cluster' | 'single';
  /** Device endpoint of each gateway (one for the single process). */
  deviceUrls: string[];
  /** Dashboard endpoint of each gateway. */
  dashboardUrls: string[];
  httpUrls: string[];
  cpuMs(): { total: number; byProcess: Record<string, number> };
  /** SIGKILLs an inference member; returns its node id. */
  killInference(index: number): string;
  /** Stops an inference member gracefully. */
  stopInference(index: number): Promise<string>;
  stop(): Promise<void>;
}

const log = (m: string) => console.error(`bench cluster: ${m}`);

function serverArgs(o: Options): { all: string[]; gateway: string[] } {
  const all = ['--no-demo', '--model', o.model, '--log-level', 'warn'];
  if (o['bus-request-timeout-ms'] !== undefined) all.push('--bus-request-timeout-ms', String(o['bus-request-timeout-ms']));
  // The server's device and connection caps (200 and 4096 by default) must not be what limits the fleet.
  const phones = Math.max(o.phones, o['saturate-phones']);
  const gateway = ['--max-devices', String(phones + 100), '--max-connections', String(Math.max(4096, phones + 200))];
  // Closed-loop phones stream far faster than real time: per-device rate limits would refuse
  // their frames (rate-limited) and the loop would stall on the windows never made.
  if (o['compare-inference']) gateway.push('--max-samples-per-sec', '10000000', '--burst-samples', '100000000', '--max-frames-per-sec', '1000000', '--max-bytes-per-sec', String(2 ** 30));
  return { all, gateway };
}

/** Warnings in the servers' logs, by node and message, summed up at the end (there can be thousands). */
const warnings = new Map<string, number>();

/** Echoes a server's errors (its JSON log at level error/fatal, and plain lines that say error); counts its warnings. */
function nodeLog(nodeId: string, line: string): void {
  const json = line.startsWith('{');
  if (json ? /"level":[56]\d/.test(line) : /error|fatal/i.test(line)) console.error(`[${nodeId}] ${line.slice(0, 400)}`);
  else if (json && line.includes('"level":40')) {
    // Load shedding explains lost windows: echo when it starts and stops, with the loop's delay.
    if (line.includes('shedding') || line.includes('load back')) console.error(`[${nodeId}] ${/"msg":"([^"]*)/.exec(line)?.[1]} (event loop ${/"lagMs":(\d+)/.exec(line)?.[1]} ms behind)`);
    const msg = /"msg":"([^"]{0,120})/.exec(line)?.[1] ?? '';
    const err = /"err":"([^"]{0,120})/.exec(line)?.[1];
    const key = `[${nodeId}] ${msg}${err ? `: ${err}` : ''}`;
    warnings.set(key, (warnings.get(key) ?? 0) + 1);
  }
}

function reportWarnings(): void {
  const top = [...warnings].sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (top.length) log(`servers' warnings: ${top.map(([k, n]) => `${n} x ${k}`).join('; ')}`);
}

async function startDeployment(o: Options, inference: number): Promise<Deployment> {
  const args = serverArgs(o);
  if (o.single) {
    const node = await NodeProcess.start({ role: 'all', nodeId: 'single', port: 0, args: [...args.all, ...args.gateway], onLog: (line) => nodeLog('single', line) });
    log(`one process (in-process bus) on ${node.url}`);
    return {
      mode: 'single',
      deviceUrls: [`${node.wsUrl}/ws/device`],
      dashboardUrls: [`${node.wsUrl}/ws/dashboard`],
      httpUrls: [node.url],
      cpuMs: () => ({ total: node.cpuMs(), byProcess: { single: node.cpuMs() } }),
      killInference: () => {
        throw new CliError('--kill-inference-at needs the cluster (not --single)');
      },
      stopInference: () => Promise.reject(new CliError('--single has no inference member to stop')),
      stop: async () => void (await node.stop()),
    };
  }
  const cluster = await LocalCluster.start({
    gateways: o.gateways,
    inference,
    natsUrl: o.nats === undefined ? undefined : o.nats,
    serverArgs: args.all,
    gatewayArgs: args.gateway,
    log,
    onNodeLog: nodeLog,
  });
  return {
    mode: 'cluster',
    deviceUrls: cluster.gateways.map((g) => `${g.wsUrl}/ws/device`),
    dashboardUrls: cluster.gateways.map((g) => `${g.wsUrl}/ws/dashboard`),
    httpUrls: cluster.gateways.map((g) => g.url),
    cpuMs: () => cluster.cpuMs(),
    killInference: (i) => {
      const node = cluster.inference[i]!;
      node.cpuMs(); // its last reading: CPU it used until the kill still counts
      node.kill('SIGKILL');
      return node.nodeId;
    },
    stopInference: async (i) => {
      const node = cluster.inference[i]!;
      await node.stop();
      return node.nodeId;
    },
    stop: () => cluster.stop(),
  };
}

/** Phones of one gateway: a lean fleet whose ids say which gateway they stream to. */
interface GatewayFleet {
  gateway: number;
  fleet: LeanFleet;
}

/** Phone i goes to gateway i mod G: gateway g gets ceil or floor of phones/G. */
function phonesPerGateway(phones: number, gateways: number): number[] {
  return Array.from({ length: gateways }, (_, g) => Math.floor(phones / gateways) + (g < phones % gateways ? 1 : 0));
}

function sumCounters(fleets: GatewayFleet[]): FleetCounters {
  const total: FleetCounters = { phones: 0, connected: 0, framesSent: 0, samplesSent: 0, bytesSent: 0, predictions: 0, personalPredictions: 0, errors: {} };
  for (const { fleet } of fleets) {
    const c = fleet.counters();
    total.phones += c.phones;
    total.connected += c.connected;
    total.framesSent += c.framesSent;
    total.samplesSent += c.samplesSent;
    total.bytesSent += c.bytesSent;
    total.predictions += c.predictions;
    const errors = total.errors as Record<string, number>;
    for (const [k, v] of Object.entries(c.errors)) errors[k] = (errors[k] ?? 0) + (v ?? 0);
  }
  return total;
}

interface LoadOptions {
  phones: number;
  seconds: number;
  warmup: number;
  drainSeconds: number;
  killAt?: number;
  /** Watch the devices from dashboards on other gateways. */
  dashboards: boolean;
  /** Closed loop (saturation) instead of real time. */
  saturate?: { inFlight: number };
  /** Called `at` seconds into the measured period (used by --compare-inference between its phases). */
  phases?: { at: number; run: () => Promise<string> }[];
}

interface PeriodFigures {
  seconds: number;
  windowsPerSec: number;
  latencyMs: { p50: number; p99: number };
  cpuMsPerWindow: number;
  cpuShareByProcess: Record<string, number>;
}

interface LoadResult {
  phones: number;
  connected: number;
  connectedAtStart: number;
  /** Phones the server closed during the run (shed as overloaded, …). */
  phonesClosedByServer: number;
  /** Of lostWindows, those of phones the server closed (their windows in flight at the close). */
  lostByClosedPhones: number;
  expectedWindowsPerSec: number;
  measured: PeriodFigures;
  /** One entry per phase when phases were given (the period before the first phase, then after each). */
  periods: PeriodFigures[];
  lostWindows: number;
  phonesWithLostWindows: number;
  windowsExpected: number;
  predictions: number;
  failoverMs: number | null;
  baselineGapExcessMs: number;
  worstPhoneAfterKill: string | null;
  killed: string | null;
  errorsWithin5sOfKill: Record<string, number>;
  dashboardCoverage: number | null;
  dashboardPredictions: number;
  dashboardMessages: number;
  dashboardsClosedByServer: number[];
  dashboardMessagesDropped: number;
  errors: Record<string, number>;
  gatewayInference: unknown[];
}

/** A period's figures from the counters at its start and end. */
class PeriodMeter {
  private readonly latency = new RollingSamples(1 << 20);
  private startAt = 0;
  private startPredictions = 0;
  private startCpu: Record<string, number> = {};
  private startCpuTotal = 0;

  constructor(
    private readonly deployment: Deployment,
    private readonly predictions: () => number,
  ) {}

  start(): void {
    this.latency.clear();
    this.startAt = performance.now();
    this.startPredictions = this.predictions();
    const cpu = this.deployment.cpuMs();
    this.startCpu = cpu.byProcess;
    this.startCpuTotal = cpu.total;
  }

  addLatency(ms: number | undefined): void {
    if (ms !== undefined && Number.isFinite(ms)) this.latency.add(ms);
  }

  finish(): PeriodFigures {
    const seconds = (performance.now() - this.startAt) / 1000;
    const windows = this.predictions() - this.startPredictions;
    const cpu = this.deployment.cpuMs();
    const cpuShareByProcess: Record<string, number> = {};
    for (const [name, ms] of Object.entries(cpu.byProcess)) cpuShareByProcess[name] = (ms - (this.startCpu[name] ?? 0)) / 1000 / seconds;
    const l = this.latency.summary();
    return {
      seconds,
      windowsPerSec: windows / seconds,
      latencyMs: { p50: l.p50, p99: l.p99 },
      cpuMsPerWindow: windows > 0 ? (cpu.total - this.startCpuTotal) / windows : NaN,
      cpuShareByProcess,
    };
  }
}

async function runLoad(deployment: Deployment, opts: LoadOptions): Promise<LoadResult> {
  const gateways = deployment.deviceUrls.length;
  const gaps = new PredictionGaps(CADENCE_MS);
  let meter: PeriodMeter | undefined;
  let measuring = false;
  const onPrediction = (deviceId: string, at: number, latencyMs: number | undefined) => {
    gaps.prediction(deviceId, at);
    if (measuring) meter?.addLatency(latencyMs);
  };
  // Error replies in the 5 s after the kill: windows that waited on the killed member and ran out of time show here.
  let killedAt = Infinity;
  const errorsAfterKill: Record<string, number> = {};
  const onError = (_deviceId: string, code: string | undefined, at: number) => {
    if (at >= killedAt && at - killedAt <= AFTER_KILL_MS) errorsAfterKill[code ?? 'unknown'] = (errorsAfterKill[code ?? 'unknown'] ?? 0) + 1;
  };
  const counts = phonesPerGateway(opts.phones, gateways);
  const fleets: GatewayFleet[] = [];
  const dashboards = new RemoteDashboards();
  try {
    // Dashboards first, so that they see every device from its first prediction on.
    const idsOf = (g: number) => Array.from({ length: counts[g]! }, (_, k) => `bench-g${g + 1}-${String(k + 1).padStart(5, '0')}`);
    for (let g = 0; g < gateways && opts.dashboards; g++) {
      if (counts[g] === 0) continue;
      const watcher = (g + 1) % gateways;
      await dashboards.watch(deployment.dashboardUrls[watcher]!, idsOf(g));
    }
    if (opts.dashboards) log(`dashboards watch each gateway's devices from ${gateways > 1 ? 'the next gateway' : 'the same process'}`);
    log(`connecting ${opts.phones} phones (${counts.join(' + ')})`);
    const started = await Promise.all(
      counts.map(async (count, g) => {
        if (count === 0) return undefined;
        const fleet = await LeanFleet.start({
          url: deployment.deviceUrls[g]!,
          count,
          rateHz: RATE_HZ,
          framesPerSecond: 4,
          seed: g + 1,
          idPrefix: `bench-g${g + 1}`,
          connectConcurrency: 50,
          onPrediction,
          onError,
          ...(opts.saturate ? { speed: 'max' as const, maxInFlightWindows: opts.saturate.inFlight } : {}),
        });
        return { gateway: g, fleet };
      }),
    );
    for (const f of started) if (f) fleets.push(f);
    const total = () => sumCounters(fleets);
    const connectedAtStart = total().connected;
    log(`${connectedAtStart}/${opts.phones} connected; warming up ${opts.warmup} s`);
    await sleep(opts.warmup * 1000);

    meter = new PeriodMeter(deployment, () => total().predictions);
    measuring = true;
    meter.start();
    const t0 = performance.now();
    gaps.startMeasuring(t0);
    let killed: string | null = null;
    const killTimer =
      opts.killAt === undefined
        ? undefined
        : setTimeout(() => {
            killed = deployment.killInference(0);
            killedAt = performance.now();
            gaps.killed(killedAt);
            log(`SIGKILL ${killed} at ${opts.killAt} s`);
          }, opts.killAt * 1000);
    const status = setInterval(() => {
      const c = total();
      const errors = Object.entries(c.errors)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      log(`${((performance.now() - t0) / 1000).toFixed(0)} s: phones ${c.connected}/${opts.phones}, predictions ${c.predictions}${errors ? `, errors: ${errors}` : ''}`);
    }, 5000);
    const periods: PeriodFigures[] = [];
    let elapsed = 0;
    for (const phase of opts.phases ?? []) {
      await sleep((phase.at - elapsed) * 1000);
      elapsed = phase.at;
      periods.push(meter.finish());
      log(await phase.run());
      meter.start();
    }
    await sleep((opts.seconds - elapsed) * 1000);
    clearInterval(status);
    clearTimeout(killTimer);
    const measured = meter.finish();
    periods.push(measured);
    measuring = false;
    const end = performance.now();
    for (const { fleet } of fleets) fleet.pause();
    log(`phones stopped sending; ${opts.drainSeconds} s for windows in flight`);
    await sleep(opts.drainSeconds * 1000);

    let lostWindows = 0;
    let lostByClosedPhones = 0;
    let windowsExpected = 0;
    let predictions = 0;
    let phonesWithLostWindows = 0;
    const closed = new Set<string>();
    const answered: string[] = [];
    for (const { fleet } of fleets) {
      for (const p of fleet.phoneCounts()) {
        if (p.predictions > 0) answered.push(p.deviceId);
        const lost = Math.max(0, p.windows - p.predictions);
        lostWindows += lost;
        if (!p.open) {
          closed.add(p.deviceId);
          lostByClosedPhones += lost;
        }
        if (lost > 0) phonesWithLostWindows++;
        windowsExpected += p.windows;
        predictions += p.predictions;
      }
    }
    const c = total();
    const gap = gaps.summary(end, closed);
    // Of the devices that got predictions, the share whose predictions reached a remote dashboard.
    const coverage = dashboards.coverage(answered);
    const health = await Promise.all(
      deployment.httpUrls.map((u) =>
        fetch(`${u}/api/health`)
          .then((r) => r.json() as Promise<{ inference?: unknown; dashboardMessagesDropped?: number }>)
          .catch(() => null),
      ),
    );
    const gatewayInference = health.map((h) => h?.inference ?? null);
    return {
      phones: opts.phones,
      connected: c.connected,
      connectedAtStart,
      phonesClosedByServer: closed.size,
      lostByClosedPhones,
      expectedWindowsPerSec: (opts.phones * RATE_HZ) / WINDOW_HOP,
      measured,
      periods,
      lostWindows,
      phonesWithLostWindows,
      windowsExpected,
      predictions,
      failoverMs: gap.failoverMs,
      baselineGapExcessMs: gap.baselineGapExcessMs,
      worstPhoneAfterKill: gap.worstPhoneAfterKill,
      killed,
      errorsWithin5sOfKill: errorsAfterKill,
      dashboardCoverage: opts.dashboards ? coverage.share : null,
      dashboardPredictions: coverage.predictions,
      dashboardMessages: coverage.messages,
      dashboardsClosedByServer: coverage.closedByServer,
      // Messages a gateway dropped for dashboards that did not read fast enough (the load generator starved of CPU).
      dashboardMessagesDropped: health.reduce((sum, h) => sum + (h?.dashboardMessagesDropped ?? 0), 0),
      errors: c.errors as Record<string, number>,
      gatewayInference,
    };
  } finally {
    dashboards.close();
    await Promise.all(fleets.map((f) => f.fleet.stop()));
  }
}

async function runRealtime(o: Options): Promise<void> {
  const killAt = o['kill-inference-at'] === undefined ? undefined : o['kill-inference-at'];
  if (killAt !== undefined && o.single) throw new CliError('--kill-inference-at needs the cluster (not --single)');
  if (killAt !== undefined && killAt >= o.seconds) throw new CliError(`--kill-inference-at (${killAt}) must fall within the measured --seconds (${o.seconds})`);
  if (killAt !== undefined && o.inference < 2) throw new CliError('--kill-inference-at needs --inference 2 or more (a member must be left to fail over to)');
  const deployment = await startDeployment(o, o.inference);
  let r: LoadResult;
  try {
    r = await runLoad(deployment, { phones: o.phones, seconds: o.seconds, warmup: o['warmup-seconds'], drainSeconds: o['drain-seconds'], killAt, dashboards: o.dashboards });
  } finally {
    await deployment.stop();
    reportWarnings();
  }
  console.log('');
  printTable(
    ['phones', 'windows/s', 'expected', 'p50 ms', 'p99 ms', 'lost', 'failover ms', 'dashboards', 'CPU ms/window', 'errors'],
    [
      [
        r.phones,
        r.measured.windowsPerSec,
        r.expectedWindowsPerSec,
        r.measured.latencyMs.p50,
        r.measured.latencyMs.p99,
        r.lostWindows,
        r.failoverMs === null ? '-' : r.failoverMs,
        r.dashboardCoverage === null ? '-' : `${(100 * r.dashboardCoverage).toFixed(1)}%`,
        r.measured.cpuMsPerWindow,
        Object.entries(r.errors)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || '-',
      ],
    ],
  );
  console.log(
    `CPU (share of a core) by process: ${Object.entries(r.measured.cpuShareByProcess)
      .map(([k, v]) => `${k} ${formatNumber(v)}`)
      .join(', ')}`,
  );
  printResultJson(
    roundDeep(
      {
        phones: r.phones,
        windowsPerSec: r.measured.windowsPerSec,
        expectedWindowsPerSec: r.expectedWindowsPerSec,
        latencyMs: r.measured.latencyMs,
        lostWindows: r.lostWindows,
        failoverMs: r.failoverMs,
        dashboardCoverage: r.dashboardCoverage,
        mode: deployment.mode,
        gateways: deployment.mode === 'cluster' ? o.gateways : 1,
        inference: deployment.mode === 'cluster' ? o.inference : 0,
        connected: r.connected,
        connectedAtStart: r.connectedAtStart,
        phonesClosedByServer: r.phonesClosedByServer,
        lostByClosedPhones: r.lostByClosedPhones,
        lostByConnectedPhones: r.lostWindows - r.lostByClosedPhones,
        // Windows the gateways refused as overloaded (cluster: past the deadline or too many in flight; single: queue full).
        windowsRefusedByGateways: r.gatewayInference.reduce<number>((sum, g) => sum + ((g as { overloaded?: number } | null)?.overloaded ?? 0), 0),
        cpuMsPerWindow: r.measured.cpuMsPerWindow,
        cpuShareByProcess: r.measured.cpuShareByProcess,
        windowsExpected: r.windowsExpected,
        predictions: r.predictions,
        phonesWithLostWindows: r.phonesWithLostWindows,
        errors: r.errors,
        killed: r.killed,
        killAtSeconds: killAt ?? null,
        errorsWithin5sOfKill: r.errorsWithin5sOfKill,
        baselineGapExcessMs: r.baselineGapExcessMs,
        worstPhoneAfterKill: r.worstPhoneAfterKill,
        dashboardPredictions: r.dashboardPredictions,
        dashboardMessages: r.dashboardMessages,
        dashboardsClosedByServer: r.dashboardsClosedByServer,
        dashboardMessagesDropped: r.dashboardMessagesDropped,
        gatewayInference: r.gatewayInference,
        seconds: r.measured.seconds,
        loadAvg1m: loadavg()[0],
      },
      2,
    ),
  );
}

async function runCompareInference(o: Options): Promise<void> {
  if (o.single) throw new CliError('--compare-inference runs the cluster: drop --single');
  const seconds = o.seconds;
  const deployment = await startDeployment(o, 2);
  let r: LoadResult;
  try {
    r = await runLoad(deployment, {
      phones: o['saturate-phones'],
      seconds: 2 * seconds + 3,
      warmup: o['warmup-seconds'],
      drainSeconds: 0,
      dashboards: o.dashboards,
      saturate: { inFlight: o['in-flight'] },
      // Measure with both members, stop inference-2, let the load settle for 3 s, measure with one.
      phases: [
        { at: seconds, run: async () => `stopped ${await deployment.stopInference(1)}; measuring with one inference member after 3 s` },
        { at: seconds + 3, run: async () => 'measuring with one inference member' },
      ],
    });
  } finally {
    await deployment.stop();
  }
  const [two, , one] = r.periods as [PeriodFigures, PeriodFigures, PeriodFigures];
  console.log('');
  printTable(
    ['inference members', 'served windows/s', 'p50 ms', 'p99 ms', 'CPU ms/window'],
    [
      [2, two.windowsPerSec, two.latencyMs.p50, two.latencyMs.p99, two.cpuMsPerWindow],
      [1, one.windowsPerSec, one.latencyMs.p50, one.latencyMs.p99, one.cpuMsPerWindow],
    ],
  );
  const ratio = two.windowsPerSec / Math.max(one.windowsPerSec, 1e-9);
  console.log(`2 members / 1 member = ${ratio.toFixed(2)}x (${cpus().length} CPUs on this machine, shared by every process)`);
  printResultJson(roundDeep({ phones: r.phones, inference2: two, inference1: one, ratio, errors: r.errors, gateways: o.gateways, cpus: cpus().length, loadAvg1m: loadavg()[0] }, 3));
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  log(
    `${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (o['compare-inference']) return runCompareInference(o);
  return runRealtime(o);
}
