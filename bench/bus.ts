// `npm run bench -- bus`: what the bus costs, in-process vs NATS on loopback, with HAR-window
// payloads ({ deviceId, window: Float32Array(384) } -> { probs: Float32Array(6) }):
// - request/reply round trip, one at a time: p50/p99;
// - requests/s with many in flight (what inference members see);
// - publish fan-out, messages/s delivered to a subscriber on another connection;
// and the CPU this process spends per message (both ends live in it; nats-server's own CPU is
// not counted). Spawns nats-server unless --nats gives one.
import { defineCommand, parseOptions } from '../cli/args.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import type { Bus } from '../server/bus/bus.js';
import { encodePayload } from '../server/bus/bus-codec.js';
import { MemoryBus } from '../server/bus/memory-bus.js';
import { connectNatsBus } from '../server/bus/nats-bus.js';
import { startNatsServer, type NatsServer } from '../cli/nats-server.js';
import { percentileOf } from '../lib/percentile.js';

const WINDOW_FLOATS = 128 * 3;
const CLASSES = 6;

export interface BusFigures {
  roundTripMs: { p50: number; p99: number; count: number };
  /** Requests/s with `inFlight` requests outstanding. */
  requestsPerSec: number;
  /** Published messages/s that reached the subscriber. */
  messagesPerSec: number;
  /** This process's CPU (user + system) per request in the pipelined phase, µs. */
  cpuUsPerRequest: number;
  /** ... and per delivered message in the publish phase, µs. */
  cpuUsPerMessage: number;
}

export interface BusBenchResult {
  benchmark: 'bus';
  seconds: number;
  inFlight: number;
  payloadBytes: number;
  memory: BusFigures;
  nats: BusFigures;
  /** nats / memory p50 round trip. */
  roundTripRatio: number;
}

interface Pair {
  requester: Bus;
  responder: Bus;
}

function windowRequest(i: number): { deviceId: string; window: Float32Array } {
  const window = new Float32Array(WINDOW_FLOATS);
  for (let k = 0; k < WINDOW_FLOATS; k++) window[k] = Math.sin(i + k);
  return { deviceId: `phone-${i % 100}`, window };
}

async function measure(pair: Pair, seconds: number, inFlight: number, log: (m: string) => void): Promise<BusFigures> {
  const { requester, responder } = pair;
  const probs = new Float32Array(CLASSES).fill(1 / CLASSES);
  responder.subscribe('bench.classify', () => ({ probs }), { queue: 'inference' });
  let delivered = 0;
  responder.subscribe('bench.predictions.*', () => {
    delivered++;
  });
  const payloads = Array.from({ length: 64 }, (_, i) => windowRequest(i));
  // Warm up (JIT, subscriptions live on the server).
  for (let i = 0; i < 200; i++) await requester.request('bench.classify', payloads[i % 64], { timeoutMs: 5_000 });

  log('  round trips, one at a time');
  const latencies: number[] = [];
  let end = performance.now() + seconds * 1_000;
  for (let i = 0; performance.now() < end; i++) {
    const started = performance.now();
    await requester.request('bench.classify', payloads[i % 64], { timeoutMs: 5_000 });
    latencies.push(performance.now() - started);
  }

  log(`  requests with ${inFlight} in flight`);
  let completed = 0;
  let cpu = process.cpuUsage();
  let started = performance.now();
  end = started + seconds * 1_000;
  const worker = async (w: number): Promise<void> => {
    for (let i = w; performance.now() < end; i += inFlight) {
      await requester.request('bench.classify', payloads[i % 64], { timeoutMs: 5_000 });
      completed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  let elapsed = (performance.now() - started) / 1_000;
  let used = process.cpuUsage(cpu);
  const requestsPerSec = completed / elapsed;
  const cpuUsPerRequest = (used.user + used.system) / completed;

  log('  publish fan-out');
  // Publish in chunks and let the subscriber catch up (a barrier request) before the next chunk,
  // so the figure is delivered messages, not messages queued in a buffer.
  const chunk = 500;
  let published = 0;
  cpu = process.cpuUsage();
  started = performance.now();
  end = started + seconds * 1_000;
  while (performance.now() < end) {
    for (let i = 0; i < chunk; i++) requester.publish(`bench.predictions.phone-${i % 100}`, payloads[i % 64]);
    published += chunk;
    await requester.request('bench.classify', payloads[0], { timeoutMs: 5_000 });
    // Requests and publishes of one connection are ordered, but to be sure all arrived:
    while (delivered < published) await new Promise((resolve) => setImmediate(resolve));
  }
  elapsed = (performance.now() - started) / 1_000;
  used = process.cpuUsage(cpu);

  return {
    roundTripMs: { p50: percentileOf(latencies, 50)!, p99: percentileOf(latencies, 99)!, count: latencies.length },
    requestsPerSec,
    messagesPerSec: delivered / elapsed,
    cpuUsPerRequest,
    cpuUsPerMessage: (used.user + used.system) / delivered,
  };
}

export const spec = defineCommand({
  usage: 'npm run bench -- bus [options]',
  summary: 'The bus in-process vs on NATS (loopback): request/reply round trip p50/p99, requests/s in flight, published messages/s, CPU per message.',
  options: {
    seconds: { type: 'number', default: 3, min: 0.2, description: 'timed seconds per phase and bus' },
    'in-flight': { type: 'integer', default: 32, min: 1, description: 'requests outstanding in the pipelined phase' },
    nats: { type: 'string', description: 'NATS URL to use (default: spawn nats-server on a free port)' },
  },
  notes: 'Payload: a HAR window (Float32Array of 384) and a reply of 6 probabilities. The last stdout line is JSON.',
});

export async function main(argv: string[]): Promise<void> {
  const a = parseOptions(spec, argv);
  const seconds = a.seconds;
  const inFlight = a['in-flight'];
  const log = (m: string): void => void process.stderr.write(`${m}\n`);

  log('memory bus');
  const memoryBus = new MemoryBus();
  const memory = await measure({ requester: memoryBus, responder: memoryBus }, seconds, inFlight, log);
  await memoryBus.close();

  let server: NatsServer | undefined;
  const url = a.nats !== undefined ? a.nats : (server = await startNatsServer({ jetstream: false })).url;
  log(`NATS bus at ${url}`);
  const requester = await connectNatsBus(url, { name: 'bench-requester' });
  const responder = await connectNatsBus(url, { name: 'bench-responder' });
  let nats: BusFigures;
  try {
    nats = await measure({ requester, responder }, seconds, inFlight, log);
  } finally {
    await requester.close();
    await responder.close();
    await server?.dispose();
  }

  const result: BusBenchResult = {
    benchmark: 'bus',
    seconds,
    inFlight,
    payloadBytes: encodePayload(windowRequest(0)).length,
    memory,
    nats,
    roundTripRatio: nats.roundTripMs.p50 / memory.roundTripMs.p50,
  };
  const row = (name: string, f: BusFigures): (string | number)[] => [
    name,
    f.roundTripMs.p50 * 1_000,
    f.roundTripMs.p99 * 1_000,
    Math.round(f.requestsPerSec),
    Math.round(f.messagesPerSec),
    f.cpuUsPerRequest,
    f.cpuUsPerMessage,
  ];
  printTable(['bus', 'rtt p50 µs', 'rtt p99 µs', `req/s (${inFlight} in flight)`, 'msgs/s', 'CPU µs/req', 'CPU µs/msg'], [row('memory', memory), row('nats', nats)], log);
  printResultJson(roundDeep(result));
}
