// `npm run bench -- fuzz --frames N`: can a client hurt the server or its neighbours? Starts the
// real server in a child process (a crash is an exit we see, not an exception in this process),
// connects well-behaved neighbours (real-time phones on /ws/device, typists on /ws/text), measures
// them in a calm phase, then runs the hostile mix (bench/hostile/) in a third process: N frames
// per endpoint on /ws/device, /ws/dashboard and /ws/text and N requests over every HTTP route, plus
// clients that never read, a reconnect storm, WebSocket protocol violations and slow HTTP clients.
// The attack comes in windows with calm windows between them: on a shared machine whose speed
// drifts over a quarter of an hour, the calm windows see the same machine as the hostile ones.
// A crash is recorded with the server's last stderr lines and, replayed against a fresh server,
// the frame that caused it; the server is restarted and the attack goes on (up to --max-crashes).
// --decoy is the control: the same attack on a second server, the neighbours' server left alone.
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCommand, CliError, parseOptions } from '../cli/args.js';
import { ProgressBar } from '../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import type { LocalServerOptions } from '../simulators/local-server.js';
import type { ServerSnapshot } from '../simulators/server-snapshot.js';
import { chrtAvailable, startAttackProcess } from './hostile/attack-process.js';
import { FAMILIES, type Family, type HostileSummary } from './hostile/hostile-mix.js';
import { figuresOf, Neighbours, type NeighbourFigures, type PhaseSamples } from './hostile/neighbours.js';
import { findCrashingFrame, type Reproduction } from './hostile/reproduce.js';
import { aggregate, printHostileReport, reportFigures } from './hostile/summary.js';
import { inc, tallySince, type Tally } from './hostile/tally.js';
import { warmLazyModels } from './hostile/warm-up.js';
import { WatchedServer, type CrashInfo } from './hostile/watched-server.js';
import { NEIGHBOUR_PREFIX } from './hostile/ws-payloads.js';

export const spec = defineCommand({
  usage: 'npm run bench -- fuzz [--frames N] [--rate R] [--seed S] [--phones P] [--typists T]',
  summary: "Hostile clients on every endpoint of a server in a child process, beside normal phones and typists: crashes, RSS, neighbours' latency against a calm run.",
  options: {
    frames: { type: 'integer', min: 1, default: 100_000, description: 'frames per WebSocket endpoint (/ws/device, /ws/dashboard, /ws/text), and HTTP requests' },
    rate: { type: 'number', min: 1, max: 100_000, default: 500, description: 'frames (requests) per second per endpoint' },
    seed: { type: 'integer', min: 0, default: 1, description: 'seed of every hostile generator (same seed, same frames)' },
    phones: { type: 'integer', min: 0, max: 150, default: 20, description: 'neighbour phones streaming 50 Hz in real time' },
    typists: { type: 'integer', min: 0, max: 100, default: 4, description: 'neighbour typists on /ws/text (40 wpm)' },
    'warmup-seconds': { type: 'number', min: 0, max: 300, default: 10, description: 'neighbours stream before the calm phase' },
    'calm-seconds': {
      type: 'number',
      min: 1,
      max: 3600,
      // 30 s gave ~470 predictions: the calm p99 was their 5th slowest and ranged 13.4-18.0 ms over six runs on a quiet machine, so the ratio moved ±20% on that alone.
      default: 90,
      description: 'calm phase: neighbours alone (~16 predictions/s with the default neighbours: its p99 needs well over 1000 of them)',
    },
    'hostile-window-seconds': {
      type: 'number',
      min: 0,
      max: 24 * 3600,
      default: 60,
      description: 'the attack runs in windows this long with a calm window after each but the last (0: one window, as long as the attack)',
    },
    'calm-window-seconds': { type: 'number', min: 1, max: 3600, default: 15, description: 'neighbours measured alone between two hostile windows' },
    'calm-window-settle-seconds': {
      type: 'number',
      min: 0,
      max: 300,
      default: 5,
      description: "after a hostile window, before its calm window: the attack process's sockets close and the server finishes what it had queued",
    },
    'settle-seconds': { type: 'number', min: 0, max: 300, default: 10, description: 'after the attack, before the final RSS' },
    'max-seconds': { type: 'number', min: 1, max: 24 * 3600, default: 900, description: 'the hostile phase stops after this long even if frames are left' },
    'max-crashes': { type: 'integer', min: 1, max: 20, default: 3, description: 'restart the server after a crash until this many' },
    connections: { type: 'integer', min: 1, max: 64, default: 4, description: 'hostile connections per WebSocket endpoint' },
    decoy: {
      type: 'boolean',
      default: false,
      description:
        "a control run: attack a second, identical server instead, so the machine carries the same load but the neighbours' server sees none of it (what is left of their slowdown is the machine's, not the server's)",
    },
    reproduce: { type: 'boolean', default: true, description: 'after a crash, replay the last frames against a fresh server to find the one that did it' },
    model: { type: 'string', choices: ['auto', 'trained', 'untrained'], default: 'auto', description: 'HAR model of the server' },
    'attacker-idle': {
      type: 'boolean',
      default: true,
      description:
        "the attack process runs under SCHED_IDLE (Linux, util-linux's chrt): only on CPU time the server, the neighbours and this process leave, as an attacker on another machine would; --no-attacker-idle (or no chrt) uses --attacker-nice",
    },
    'attacker-nice': {
      type: 'integer',
      min: 0,
      max: 19,
      default: 10,
      description: 'with --no-attacker-idle: the attack process runs this much nicer than the benchmark',
    },
    attacks: { type: 'string', default: FAMILIES.join(','), description: 'attack families to run (comma list): to see which one hurts the neighbours' },
  },
  notes: [
    'Targets only 127.0.0.1 (a server it starts itself) and stops by itself (frames spent or --max-seconds).',
    "Neighbour latency is client side: phones, frame holding a window's last sample sent -> prediction received; typists, keystroke -> suggestions.",
    "Targets: 0 crashes, server alive, RSS growth (end - start) < 100 MB, neighbours' p99 <= 1.5x the calm windows', no `overloaded` for them.",
    "Phases: warm-up, the calm phase (`calm`), then hostile windows (--hostile-window-seconds) with calm windows between them (`calmWindows`). Latency is measured in a hostile window from the attack's first progress report (its process has started and is sending), in a calm window after --calm-window-settle-seconds; each kind's p99 is over its windows' samples pooled. p99Ratio = hostile p99 / the calm windows' p99; calm.p99Ratio = hostile p99 / the calm phase's (the design before the windows). neighbours.overloaded and .errors count everything from the first hostile window to the end of the attack, calm windows included.",
    'Before the neighbours start, each image model is asked for once (bench/hostile/warm-up.ts): RSS start then includes the lazily loaded models and the image worker.',
    'Last stdout line: {"frames","serverAlive","crashes","rssStartMb","rssEndMb","neighbours":{"p99Ms","overloaded","errors",…},"calmP99Ms","p99Ratio","typistP99Ratio",',
    '"calm":{…,"p99Ratio","typistP99Ratio","loadAvg1m"},"calmWindows":{"windows","p99Ms","typistP99Ms",…},"hostileWindows","hostileLoadAvg1m","rssPeakMb","memory":{"start","end"},"targets":{…},"perEndpoint":{…},"typedErrors":{…},"http":{…},"nonReaders":{…},"slowHttp":{…},"crashReports":[…],"processErrors":{"count","samples"},…}.',
    'memory: what the server\'s RSS was made of at the start and the end: {"rssMb","heapUsedMb","heapTotalMb","externalMb","heapSpacesMb":{new_space,old_space,…}} (main thread), "threadsMb":{"main"|"inference"|"text"|"images":{"heapMb","wasmMb"}} (each thread\'s V8 heap reserved and WASM memory; the main thread\'s WASM is part of its external); malloc and the threads\' stacks are the rest.',
    "The server runs under npm start's process policy: an uncaught exception is logged and survived (processErrors, with its stack), a burst of them exits 70 (a crash).",
  ].join('\n'),
});

interface CrashReport extends Omit<CrashInfo, 'stderrTail'> {
  stderrTail: string;
  /** The frame that kills a fresh server on its own, when one of the last ones does. */
  reproduction: Reproduction | null;
  /** Kinds of the frames sent in the last second before the crash. */
  lastKinds: Tally;
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const frames = o.frames;
  const seed = o.seed;
  const listed = o.attacks.split(',').map((f) => f.trim());
  const isFamily = (f: string): f is Family => (FAMILIES as readonly string[]).includes(f);
  const families = listed.filter(isFamily);
  const unknown = listed.filter((f) => !isFamily(f));
  if (unknown.length) throw new CliError(`--attacks: unknown ${unknown.join(', ')} (choose from ${FAMILIES.join(', ')})`);
  const endpoints = (['device', 'dashboard', 'text', 'http'] as const).filter((e) => families.includes(e));
  const recordingsDir = mkdtempSync(join(tmpdir(), 'sensorium-fuzz-'));
  // The server's own limits, untouched: what a real deployment has (recordings go to a temp folder).
  const serverOptions: Omit<LocalServerOptions, 'log'> = { harModel: o.model, overrides: { recording: { dir: recordingsDir } } };
  const deviceIds = [
    ...Array.from({ length: 4 }, (_, i) => `${NEIGHBOUR_PREFIX}-${String(i + 1).padStart(4, '0')}`),
    ...Array.from({ length: 8 }, (_, i) => `fuzz-dev-${i % 4}-${i % 8}`),
    'sensor-logger:fuzz-1',
    'storm-1',
  ];
  const hostileBudgetSeconds = o['max-seconds'];
  const windowSeconds = o['hostile-window-seconds'];
  const calmWindowSeconds = o['calm-window-settle-seconds'] + o['calm-window-seconds'];
  const calmWindowsAtMost = windowSeconds > 0 ? Math.ceil(hostileBudgetSeconds / windowSeconds) : 0;
  const neighbours = new Neighbours({
    phones: o.phones,
    typists: o.typists,
    seed,
    maxSeconds: o['warmup-seconds'] + o['calm-seconds'] + hostileBudgetSeconds + calmWindowsAtMost * calmWindowSeconds + o['settle-seconds'] + 600,
  });

  console.error(`fuzz: starting the server (child process), ${o.phones} phones and ${o.typists} typists beside it`);
  let server = await WatchedServer.start(serverOptions);
  const decoy = o.decoy ? await WatchedServer.start(serverOptions) : undefined;
  const summaries: HostileSummary[] = [];
  const crashes: CrashReport[] = [];
  let rssPeakMb = 0;
  // The server's RSS at start and end, and what it was made of (heap, reserved heap, outside the heap).
  const memory: { start?: MemoryParts; end?: MemoryParts } = {};
  let calm: NeighbourFigures;
  let hostile: NeighbourFigures;
  // The samples of each hostile window, and of each calm window between two of them.
  const hostilePhases: PhaseSamples[] = [];
  const calmPhases: PhaseSamples[] = [];
  // Neighbours' errors from the first hostile window to the end of the attack, calm windows included.
  let hostileErrors: Tally = {};
  // The machine's load at the end of each phase: on a shared machine, the ratio of the phases'
  // p99 also says how busy the other processes were in each.
  let calmLoadAvg1m = NaN;
  let hostileLoadAvg1m = NaN;
  let serverAlive = false;
  // Exceptions that reached process level and that the policy survived (the last server's count).
  let processErrorCount: number | null = null;
  const processErrorSamples: string[] = [];
  try {
    const coldRoutes = await warmLazyModels(server.httpUrl);
    if (decoy) coldRoutes.push(...(await warmLazyModels(decoy.httpUrl)));
    if (coldRoutes.length) console.error(`fuzz: warming the lazily loaded models failed for ${coldRoutes.join(', ')}`);
    await neighbours.attach(server.httpUrl);
    await sleep(o['warmup-seconds'] * 1000);
    console.error(`fuzz: calm phase, ${o['calm-seconds']} s`);
    neighbours.beginPhase();
    await sleep(o['calm-seconds'] * 1000);
    calm = neighbours.endPhase();
    calmLoadAvg1m = loadavg()[0];
    memory.start = memoryParts(await server.proc.snapshot());
    console.error(
      `fuzz: calm p99 ${calm.p99Ms?.toFixed(1)} ms (typists ${calm.typistP99Ms?.toFixed(1) ?? '-'} ms), server RSS ${memory.start.rssMb.toFixed(0)} MB; hostile phase: ${frames} frames per endpoint at ${o.rate}/s`,
    );

    const errorsBefore = neighbours.errorTally();
    const bar = new ProgressBar({ total: Math.max(1, endpoints.length) * frames, label: 'fuzz', unit: 'frames' });
    const sent = { device: 0, dashboard: 0, text: 0, http: 0 };
    // Seconds spent in hostile windows: the budget of --max-seconds (calm windows not counted).
    let attackSeconds = 0;
    let windows = 0;
    while (true) {
      const remaining = endpoints.length === 0 ? frames : frames - Math.min(...endpoints.map((e) => sent[e]));
      const secondsLeft = hostileBudgetSeconds - attackSeconds;
      if (remaining <= 0 || secondsLeft <= 1) break;
      if (windows > 0 && windowSeconds > 0) {
        await sleep(o['calm-window-settle-seconds'] * 1000);
        neighbours.beginPhase();
        await sleep(o['calm-window-seconds'] * 1000);
        calmPhases.push(neighbours.takePhase());
      }
      const base = { ...sent };
      const windowStarted = performance.now();
      // A window is measured from the attack's first report: its process has started and is sending.
      let measuring = false;
      const endWindow = () => {
        if (measuring) hostilePhases.push(neighbours.takePhase());
        measuring = false;
        attackSeconds += (performance.now() - windowStarted) / 1000;
        windows++;
      };
      const attack = startAttackProcess(
        {
          httpUrl: (decoy ?? server).httpUrl,
          framesPerEndpoint: frames,
          spent: { ...sent },
          rate: o.rate,
          maxSeconds: windowSeconds > 0 ? Math.min(windowSeconds, secondsLeft) : secondsLeft,
          // Window 0 of a run without crashes keeps the seed itself; every window sends new frames.
          seed: seed + 7919 * crashes.length + 104_729 * windows,
          connectionsPerEndpoint: o.connections,
          deviceIds,
          families,
        },
        (p) => {
          if (!measuring) {
            neighbours.beginPhase();
            measuring = true;
          }
          const before = Object.values(sent).reduce((s, v) => s + v, 0);
          for (const k of Object.keys(sent) as (keyof typeof sent)[]) sent[k] = base[k] + p.perEndpoint[k];
          bar.tick(Object.values(sent).reduce((s, v) => s + v, 0) - before, { rssMb: rssPeakMb, crashes: crashes.length });
        },
        { idle: o['attacker-idle'], nice: o['attacker-nice'] },
      );
      const rssTimer = setInterval(() => {
        server.proc
          .snapshot()
          .then((s) => (rssPeakMb = Math.max(rssPeakMb, s.rssMb)))
          .catch(() => undefined);
      }, 2000);
      let outcome: { summary: HostileSummary } | { crash: CrashInfo };
      try {
        outcome = await Promise.race([attack.done.then((summary) => ({ summary })), (decoy ?? server).crashed.then((crash) => ({ crash }))]);
      } finally {
        clearInterval(rssTimer);
      }
      if ('summary' in outcome) {
        endWindow();
        summaries.push(outcome.summary);
        for (const k of Object.keys(sent) as (keyof typeof sent)[]) sent[k] = base[k] + (k === 'http' ? outcome.summary.http.sent : outcome.summary.ws[k].sent);
        continue;
      }
      // The server died: stop the attack, keep its last frames, find the killer, restart.
      const crash = outcome.crash;
      attack.stop();
      const summary = await attack.done;
      summaries.push(summary);
      for (const k of Object.keys(sent) as (keyof typeof sent)[]) sent[k] = base[k] + (k === 'http' ? summary.http.sent : summary.ws[k].sent);
      const before = summary.recent.filter((r) => r.at <= crash.at + 50);
      const lastKinds: Tally = {};
      for (const r of before.filter((x) => x.at >= crash.at - 1000)) inc(lastKinds, `${r.endpoint}:${r.kind}`);
      console.error(`\nfuzz: the ${decoy ? 'decoy ' : ''}server CRASHED (exit code ${crash.code}, signal ${crash.signal}); last stderr:\n${crash.stderrTail.slice(-1500)}`);
      if (decoy) {
        // A control run measures the machine, not crashes: record it and end the attack.
        endWindow();
        crashes.push(crashReport(crash, lastKinds, null));
        break;
      }
      await neighbours.detach();
      endWindow();
      processErrorSamples.push(...server.processErrors);
      let reproduction: Reproduction | undefined;
      if (o.reproduce) {
        console.error(`fuzz: replaying the last ${Math.min(60, before.length)} frames one by one against a fresh server…`);
        reproduction = await findCrashingFrame(before, serverOptions).catch((err: unknown) => {
          console.error(`fuzz: reproduction failed: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        });
        console.error(
          reproduction
            ? `fuzz: one frame does it: ${reproduction.endpoint} ${reproduction.kind} ${reproduction.binary ? 'binary' : 'text'} ${reproduction.hex.slice(0, 120)}`
            : 'fuzz: no single frame of the last ones crashes a fresh server',
        );
      }
      crashes.push(crashReport(crash, lastKinds, reproduction ?? null));
      if (crashes.length >= o['max-crashes']) {
        console.error(`fuzz: ${crashes.length} crashes: stopping the hostile phase`);
        break;
      }
      server = await WatchedServer.start(serverOptions);
      await neighbours.attach(server.httpUrl);
    }
    hostile = figuresOf(hostilePhases);
    hostileErrors = tallySince(neighbours.errorTally(), errorsBefore);
    hostileLoadAvg1m = loadavg()[0];
    console.error(`\nfuzz: attack over; settling ${o['settle-seconds']} s`);
    await sleep(o['settle-seconds'] * 1000);
    serverAlive =
      server.alive &&
      (await fetch(`${server.httpUrl}/api/health`)
        .then(() => true)
        .catch(() => false));
    const endSnapshot = server.alive ? await server.proc.snapshot().catch(() => undefined) : undefined;
    if (endSnapshot) {
      memory.end = memoryParts(endSnapshot);
      console.error(`fuzz: server memory start → end: ${describeMemory(memory.start!)} → ${describeMemory(memory.end)}`);
    }
    if (server.alive) processErrorCount = await processErrorsTotal(server.httpUrl);
    processErrorSamples.push(...server.processErrors);
  } finally {
    await neighbours.detach();
    if (server.alive) await server.close();
    if (decoy?.alive) await decoy.close();
    rmSync(recordingsDir, { recursive: true, force: true });
  }

  const agg = aggregate(summaries);
  printHostileReport(agg, console.error, (h, rows) => printTable(h, rows, console.error));
  const { overloaded: hostileOverloaded = 0, ...otherErrors } = hostileErrors;
  const calmWindows = figuresOf(calmPhases);
  // The baseline: the calm windows, which saw the machine as it was between the hostile ones; without windows, the calm phase.
  const baseline = calmPhases.length ? calmWindows : calm!;
  console.error(
    `neighbours: calm p99 ${calm!.p99Ms} ms, calm windows ${calmWindows.p99Ms} ms (${calmPhases.length}), hostile p99 ${hostile!.p99Ms} ms (${hostilePhases.length} windows); ` +
      `typists calm ${calm!.typistP99Ms} ms, calm windows ${calmWindows.typistP99Ms} ms, hostile ${hostile!.typistP99Ms} ms; errors ${JSON.stringify(hostileErrors)}`,
  );

  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  const p99Ratio = ratio(hostile!.p99Ms, baseline.p99Ms);
  const typistP99Ratio = ratio(hostile!.typistP99Ms, baseline.typistP99Ms);
  const neighbourErrors = Object.values(otherErrors).reduce((sum, n) => sum + n, 0);
  printResultJson(
    roundDeep(
      {
        frames: agg.frames,
        serverAlive,
        crashes: crashes.length,
        rssStartMb: memory.start?.rssMb ?? NaN,
        rssEndMb: memory.end?.rssMb ?? null,
        neighbours: {
          p99Ms: hostile!.p99Ms,
          overloaded: hostileOverloaded,
          errors: neighbourErrors,
          p50Ms: hostile!.p50Ms,
          serverP99Ms: hostile!.serverP99Ms,
          predictions: hostile!.predictions,
          typistP99Ms: hostile!.typistP99Ms,
          suggestions: hostile!.suggestions,
          errorCodes: hostileErrors,
          p99ByTenSecondsMs: hostile!.p99ByTenSecondsMs,
        },
        calmP99Ms: baseline.p99Ms,
        p99Ratio,
        typistP99Ratio,
        calm: {
          p99Ms: calm!.p99Ms,
          serverP99Ms: calm!.serverP99Ms,
          typistP99Ms: calm!.typistP99Ms,
          overloaded: calm!.overloaded,
          errors: calm!.errors,
          predictions: calm!.predictions,
          p99Ratio: ratio(hostile!.p99Ms, calm!.p99Ms),
          typistP99Ratio: ratio(hostile!.typistP99Ms, calm!.typistP99Ms),
          loadAvg1m: calmLoadAvg1m,
        },
        calmWindows: {
          windows: calmPhases.length,
          p99Ms: calmWindows.p99Ms,
          p50Ms: calmWindows.p50Ms,
          serverP99Ms: calmWindows.serverP99Ms,
          typistP99Ms: calmWindows.typistP99Ms,
          predictions: calmWindows.predictions,
          suggestions: calmWindows.suggestions,
          p99ByTenSecondsMs: calmWindows.p99ByTenSecondsMs,
        },
        hostileWindows: hostilePhases.length,
        hostileLoadAvg1m,
        rssPeakMb,
        memory,
        targets: {
          noCrash: crashes.length === 0,
          serverAlive,
          rssGrowthUnder100Mb: memory.start !== undefined && memory.end !== undefined && memory.end.rssMb - memory.start.rssMb < 100,
          p99Within1_5x: p99Ratio !== null && p99Ratio <= 1.5 && (typistP99Ratio === null || typistP99Ratio <= 1.5),
          noOverloaded: hostileOverloaded === 0,
          noProcessErrors: processErrorSamples.length === 0 && !processErrorCount,
        },
        ...reportFigures(agg),
        crashReports: crashes,
        processErrors: { count: processErrorCount, samples: processErrorSamples.slice(0, 10) },
        seed,
        rate: o.rate,
        attacks: families,
        attacker: o['attacker-idle'] && chrtAvailable() ? 'SCHED_IDLE' : `nice ${o['attacker-nice']}`,
        decoy: o.decoy,
        hostileSeconds: agg.seconds,
        loadAvg1m: loadavg()[0],
      },
      2,
    ),
  );
}

function crashReport(crash: CrashInfo, lastKinds: Tally, reproduction: Reproduction | null): CrashReport {
  return { ...crash, stderrTail: crash.stderrTail.replace(/ {20,}/g, ' … ').slice(-1500), reproduction, lastKinds };
}

type MemoryParts = Pick<ServerSnapshot, 'rssMb' | 'heapUsedMb' | 'heapTotalMb' | 'externalMb' | 'heapSpacesMb'> & {
  /** Each thread's V8 heap (reserved) and WASM memory, MB: main, and the worker threads. */
  threadsMb: Record<string, { heapMb: number; wasmMb: number }>;
};

const mb = (bytes: number) => bytes / 2 ** 20; // the result line rounds every figure

function memoryParts(s: ServerSnapshot): MemoryParts {
  return {
    rssMb: s.rssMb,
    heapUsedMb: s.heapUsedMb,
    heapTotalMb: s.heapTotalMb,
    externalMb: s.externalMb,
    heapSpacesMb: s.heapSpacesMb,
    threadsMb: Object.fromEntries(Object.entries(s.threads ?? {}).map(([thread, m]) => [thread, { heapMb: mb(m.heapTotalBytes), wasmMb: mb(m.wasmBytes) }])),
  };
}

function describeMemory(m: MemoryParts): string {
  const threads = Object.entries(m.threadsMb).map(([thread, w]) => `${thread} ${w.heapMb.toFixed(0)} + ${w.wasmMb.toFixed(0)}`);
  return (
    `RSS ${m.rssMb.toFixed(0)} MB (heap ${m.heapUsedMb.toFixed(0)} used / ${m.heapTotalMb.toFixed(0)} reserved, external ${m.externalMb.toFixed(0)}` +
    (threads.length ? `; each thread's heap + WASM: ${threads.join(', ')}` : '') +
    ')'
  );
}

/** sensorium_process_errors_total over its kinds, from the server's /metrics (null when unknown). */
async function processErrorsTotal(httpUrl: string): Promise<number | null> {
  const text = await fetch(`${httpUrl}/metrics`)
    .then((r) => (r.ok ? r.text() : ''))
    .catch(() => '');
  const lines = text.split('\n').filter((l) => l.startsWith('sensorium_process_errors_total'));
  return lines.length ? lines.reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0) : null;
}
