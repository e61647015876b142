// `npm run bench -- lm-stream`: (1) the cost of one incremental LSTM step against recomputing a
// 64-token context from scratch, and (2) simulated typists on /ws/text for a while: keystroke ->
// suggestion latency (p50/p99, client side) and LSTM steps per second through the batcher.
import * as tf from '@tensorflow/tfjs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { defineCommand, parseOptions } from '../cli/args.js';
import { backendOption, useBackend } from '../cli/backend-option.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import { joinDocuments, loadCorpus } from '../data/corpora/index.js';
import { loadLm, type LoadedLm } from '../models/lm/lm-store.js';
import { DEFAULT_TEXT_CONFIG } from '../server/text/text-config.js';
import { startTextServer } from '../server/text/standalone-text-server.js';
import { runTypists } from '../simulators/typist-fleet.js';
import { SessionAdaptation } from '../models/lm/session-adaptation.js';
import { DEFAULT_WRITER_TOKENS } from '../models/lm/writer-model.js';

export const spec = defineCommand({
  usage: 'npm run bench -- lm-stream [--typists N] [--seconds S] [options]',
  summary: 'Incremental vs full-recompute LSTM inference, and live typists on /ws/text: latency and steps/s.',
  options: {
    typists: { type: 'integer', min: 1, max: 5000, default: 200, description: 'simulated typists' },
    seconds: { type: 'number', min: 1, default: 30, description: 'how long the typists type' },
    model: { type: 'string', default: 'english-word', description: 'text model' },
    wpm: { type: 'number', min: 1, max: 1000, default: 40, description: 'typing speed of each typist' },
    context: { type: 'integer', min: 2, max: 1024, default: 64, description: 'context length of the recompute comparison' },
    'warmup-seconds': { type: 'number', aliases: ['warmup'], min: 0, default: 3, description: 'seconds at the start whose latencies are not counted' },
    reps: { type: 'integer', min: 3, default: 50, description: 'repetitions of each timing' },
    adapt: { type: 'boolean', default: true, description: 'suggestions adapt to each typist (--no-adapt: the model alone, to measure what adaptation costs)' },
    backend: backendOption,
  },
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  await useBackend(o.backend);
  const lm = await loadLm(o.model);
  try {
    const speed = await incrementalVsRecompute(lm, o.context, o.reps);
    printTable(
      ['inference', `ms per new token (context ${o.context})`],
      [
        ['incremental step', speed.incrementalMs],
        ['full recompute', speed.recomputeMs],
      ],
      (s) => console.error(s),
    );
    console.error(`incremental is ${speed.speedup.toFixed(1)}x faster`);

    const text = joinDocuments(loadCorpus('english').validation).replace(/\s+/g, ' ');
    const adaptation = o.adapt ? adaptationCost(lm, text) : undefined;
    if (adaptation) {
      const a = adaptation;
      console.error(
        `adapting one suggestion to a writer with ${a.historyTokens} tokens of history: p50 ${a.p50Ms.toFixed(3)} ms, p99 ${a.p99Ms.toFixed(3)} ms (CPU time p50 ${a.cpuP50Ms.toFixed(3)}, p99 ${a.cpuP99Ms.toFixed(3)} ms)`,
      );
    }

    const typists = o.typists;
    // The model by name, as the server serves it: its steps run in the text models' worker thread.
    const server = await startTextServer({ ...DEFAULT_TEXT_CONFIG, defaultModel: o.model, allowedModels: [o.model], maxSessions: typists + 10 });
    server.service.adaptSuggestions = o.adapt;
    try {
      const seconds = o.seconds;
      // How late the event loop runs: separates our own work from time the OS gives to others.
      const loopDelay = monitorEventLoopDelay({ resolution: 5 });
      loopDelay.enable();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const { counters, latency, serverLatency } = await runTypists({
        url: server.url,
        text,
        typists,
        wpm: o.wpm,
        seconds,
        charsPerTypist: 100_000,
        seed: 1,
        warmupSeconds: o['warmup-seconds'],
        onProgress: (c, latency) =>
          console.error(`typists ${c.connected}/${c.typists}  keys ${c.keystrokes}  p50 ${latency.percentile(50).toFixed(1)} ms  p99 ${latency.percentile(99).toFixed(1)} ms`),
      });
      const elapsed = (performance.now() - t0) / 1000;
      loopDelay.disable();
      const cpu = process.cpuUsage(cpu0);
      const batcher = server.service.stats().models[lm.name]!;
      printResultJson(
        roundDeep({
          bench: 'lm-stream',
          model: lm.name,
          backend: tf.getBackend(),
          typists,
          adapt: o.adapt,
          ...(adaptation ? { adaptationMs: { p50: adaptation.p50Ms, p99: adaptation.p99Ms, cpuP50: adaptation.cpuP50Ms, cpuP99: adaptation.cpuP99Ms, historyTokens: adaptation.historyTokens } } : {}),
          seconds: elapsed,
          latencyMs: { p50: latency.percentile(50), p99: latency.percentile(99) },
          serverLatencyMs: { p50: serverLatency.percentile(50), p99: serverLatency.percentile(99) },
          stepsPerSec: batcher.completed / elapsed,
          keystrokesPerSec: counters.keystrokes / elapsed,
          meanBatch: batcher.meanBatch,
          overloaded: batcher.overloaded,
          errors: counters.errors,
          eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6 },
          processCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
          loadAverage: loadavg()[0],
          incrementalMs: speed.incrementalMs,
          recomputeMs: speed.recomputeMs,
          context: o.context,
          speedup: speed.speedup,
          batch64StepsPerSec: speed.batch64StepsPerSec,
        }),
      );
    } finally {
      await server.close();
    }
  } finally {
    lm.stepper.dispose();
    lm.model.dispose();
  }
}

/**
 * What adapting one suggestion costs on the event loop, for a writer whose history is full
 * (the per-writer bound): suggest() on contexts along the text, after a fixed distribution.
 */
function adaptationCost(lm: LoadedLm, text: string) {
  const tokens = lm.tokenizer.split(text);
  const history = tokens.slice(0, DEFAULT_WRITER_TOKENS);
  const adaptation = new SessionAdaptation(lm.tokenizer, history, DEFAULT_WRITER_TOKENS);
  const probs = new Float32Array(lm.tokenizer.size).fill(1 / lm.tokenizer.size);
  const times: number[] = [];
  // CPU time of this process as well as wall time: on a busy machine the wall clock also counts
  // the time the OS gave to other processes in the middle of a call.
  const cpuTimes: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const at = DEFAULT_WRITER_TOKENS + (i % 1000);
    const word = tokens[at + 2] ?? '';
    const t = performance.now();
    const cpu = process.cpuUsage();
    adaptation.suggest(probs, tokens.slice(at - 2, at), word.slice(0, i % 3), 3);
    const used = process.cpuUsage(cpu);
    if (i >= 100) {
      times.push(performance.now() - t);
      cpuTimes.push((used.user + used.system) / 1000);
    }
  }
  const pick = (a: number[], q: number) => a.sort((x, y) => x - y)[Math.floor(a.length * q)]!;
  return { historyTokens: adaptation.writer.size, p50Ms: pick(times, 0.5), p99Ms: pick(times, 0.99), cpuP50Ms: pick(cpuTimes, 0.5), cpuP99Ms: pick(cpuTimes, 0.99) };
}

/** Median time to get the next-token distribution after one new token: one step vs the whole context again. */
async function incrementalVsRecompute(lm: LoadedLm, context: number, reps: number) {
  const ids = Array.from({ length: context }, (_, i) => 1 + ((i * 31) % (lm.tokenizer.size - 1)));
  let state = lm.stepper.zeroState();
  for (const id of ids.slice(0, -1)) state = (await lm.stepper.step([id], state)).states;
  const inc: number[] = [];
  const full: number[] = [];
  const x = tf.tensor2d([ids], [1, context], 'int32');
  for (let r = 0; r < reps + 2; r++) {
    let t = performance.now();
    await lm.stepper.step([ids[context - 1]!], state);
    if (r >= 2) inc.push(performance.now() - t);
    t = performance.now();
    const out = tf.tidy(() => (lm.model.predict(x) as tf.Tensor3D).slice([0, context - 1, 0], [1, 1, -1]));
    await out.data();
    out.dispose();
    if (r >= 2) full.push(performance.now() - t);
  }
  x.dispose();
  // Capacity: one step for 64 sessions at once, as the batcher runs it under load.
  const B = 64;
  const states = new Float32Array(B * lm.stepper.stateSize);
  const tokens = Array.from({ length: B }, (_, i) => ids[i % context]!);
  const batched: number[] = [];
  for (let r = 0; r < reps + 2; r++) {
    const t = performance.now();
    await lm.stepper.step(tokens, states);
    if (r >= 2) batched.push(performance.now() - t);
  }
  const median = (a: number[]) => a.sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
  const incrementalMs = median(inc);
  const recomputeMs = median(full);
  return { incrementalMs, recomputeMs, speedup: recomputeMs / incrementalMs, batch64StepsPerSec: (B * 1000) / median(batched) };
}
