// `npm run simulate -- phones`: a fleet of synthetic phones streaming to a server, for demos
// and load. Status on stderr every few seconds; a summary and a final JSON line on stdout.
import { CliError, parseOptions, type CommandSpec } from '../cli/args.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import { HarScorer } from '../models/har/metrics.js';
import type { Encoding } from '../protocol/codec.js';
import { ACTIVITIES, type Activity } from '../protocol/sensor-messages.js';
import { parseScript } from './activity-script.js';
import { percentiles } from './latency-log.js';
import { PhoneFleet } from './phone-fleet.js';
import { reportFleetStatus } from './status-line.js';

export const DEFAULT_DEVICE_URL = 'ws://127.0.0.1:8080/ws/device';

const spec: CommandSpec = {
  usage: 'npm run simulate -- phones [options]',
  summary: 'Synthetic phones doing scripted activities (walk, stairs, sit, stand, lie), streaming over real WebSockets.',
  options: {
    count: { type: 'integer', min: 1, max: 20_000, default: 10, description: 'number of phones' },
    rate: { type: 'number', min: 10, max: 200, default: 50, description: 'sample rate per phone, Hz' },
    url: { type: 'string', default: DEFAULT_DEVICE_URL, description: 'device endpoint of the server' },
    seconds: { type: 'number', min: 0, default: 60, description: 'how long to stream; 0 = until Ctrl-C' },
    encoding: { type: 'string', choices: ['json', 'msgpack'], default: 'json', description: 'frame encoding' },
    'frames-per-second': { type: 'number', min: 0.5, max: 100, default: 10, description: 'frames each phone sends per second' },
    speed: { type: 'number', min: 0.1, max: 100, default: 1, description: 'multiple of real time the phones stream at (device clocks run that much faster)' },
    labels: { type: 'boolean', default: false, description: 'send ground-truth labels (the server then reports truth)' },
    script: { type: 'string', description: 'activity script for every phone, e.g. walking:20,sitting:10 (default: random per phone)' },
    seed: { type: 'integer', default: 1, description: 'random seed of the fleet' },
    'id-prefix': { type: 'string', default: 'sim-phone', description: 'device ids are <prefix>-0001…' },
    'status-every': { type: 'number', min: 0.5, default: 5, description: 'seconds between status lines on stderr' },
  },
  notes: [
    'The last stdout line is JSON: {"phones","connected","seconds","framesSent","predictions","predictionsPerSec","latencyMs":{"server":{…},"client":{…}},"errors"}',
    'and, with --labels, "accuracy" and "macroF1" of the served labels against the scripted activities (windows the server gives a truth).',
  ].join('\n'),
};

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const url = String(o.url);
  if (!/^wss?:\/\//.test(url)) throw new CliError(`--url must be a ws:// or wss:// URL (got '${url}')`);
  let script;
  try {
    script = o.script === undefined ? undefined : parseScript(String(o.script));
  } catch (err) {
    throw new CliError(`--script: ${(err as Error).message}`);
  }
  const seconds = Number(o.seconds);
  // With labels, the server reports each window's truth: score the served labels against it.
  const scorer = new HarScorer(ACTIVITIES);
  console.error(`phones: connecting ${o.count} phones to ${url} (${o.rate} Hz, ${o.encoding})…`);
  const fleet = await PhoneFleet.start({
    url,
    count: Number(o.count),
    rateHz: Number(o.rate),
    encoding: o.encoding as Encoding,
    framesPerSecond: Number(o['frames-per-second']),
    speed: Number(o.speed),
    labels: Boolean(o.labels),
    script,
    seed: Number(o.seed),
    idPrefix: String(o['id-prefix']),
    onPrediction: (_id, p) => {
      if (p.truth !== undefined && ACTIVITIES.includes(p.label as Activity)) scorer.add(p.truth, p.label);
    },
  });
  const connectedIn = fleet.elapsedSeconds;
  console.error(`phones: ${fleet.counters().connected} connected in ${connectedIn.toFixed(1)} s; streaming${seconds > 0 ? ` for ${seconds} s` : ' until Ctrl-C'}`);

  const start = performance.now();
  const stopStatus = reportFleetStatus(fleet, Number(o['status-every']) * 1000);

  await new Promise<void>((resolve) => {
    const finish = () => {
      process.off('SIGINT', finish);
      resolve();
    };
    process.on('SIGINT', finish);
    if (seconds > 0) setTimeout(finish, seconds * 1000);
  });
  stopStatus();
  const elapsed = (performance.now() - start) / 1000;
  const c = fleet.counters();
  await fleet.stop();

  const server = percentiles(fleet.latency.server);
  const client = percentiles(fleet.latency.client);
  console.log(`\n${c.connected} of ${c.phones} phones streamed for ${elapsed.toFixed(1)} s to ${url}`);
  printTable(
    ['measure', 'value'],
    [
      ['frames sent', c.framesSent],
      ['samples sent', c.samplesSent],
      ['MB sent', c.bytesSent / 1e6],
      ['predictions', c.predictions],
      ['predictions/s', c.predictions / elapsed],
      ['server latency p50 / p95 / p99 ms', `${server.p50.toFixed(1)} / ${server.p95.toFixed(1)} / ${server.p99.toFixed(1)}`],
      ['client latency p50 / p95 / p99 ms', `${client.p50.toFixed(1)} / ${client.p95.toFixed(1)} / ${client.p99.toFixed(1)}`],
      ...Object.entries(c.errors).map(([k, v]): [string, number] => [`errors: ${k}`, v ?? 0]),
    ],
  );
  const scored = scorer.count > 0 ? scorer.result() : undefined;
  if (scored) console.log(`\nserved labels vs the phones' scripted activities: accuracy ${scored.accuracy.toFixed(4)}, macro-F1 ${scored.macroF1.toFixed(4)} over ${scored.n} windows`);
  printResultJson(
    roundDeep(
      {
        phones: c.phones,
        connected: c.connected,
        seconds: elapsed,
        framesSent: c.framesSent,
        bytesSent: c.bytesSent,
        predictions: c.predictions,
        predictionsPerSec: c.predictions / elapsed,
        latencyMs: { server: { p50: server.p50, p95: server.p95, p99: server.p99 }, client: { p50: client.p50, p95: client.p95, p99: client.p99 } },
        errors: c.errors,
        ...(scored ? { scoredWindows: scored.n, accuracy: scored.accuracy, macroF1: scored.macroF1 } : {}),
      },
      4,
    ),
  );
}
