// `npm run simulate -- phones`: a fleet of synthetic phones streaming to a server, for demos
// and load. Status on stderr every few seconds; a summary and a final JSON line on stdout.
import { defineCommand, CliError, parseOptions } from '../cli/args.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import { HarScorer } from '../models/har/metrics.js';
import { ACTIVITY_NAMES } from '../protocol/sensor-messages.js';
import type { SimPlacement } from './activity-profiles.js';
import { parseScript } from './activity-script.js';
import { parseDeviceUrls } from './failover-device.js';
import { percentiles } from './latency-log.js';
import { checkScriptFits, FLEET_PLACEMENTS, PhoneFleet } from './phone-fleet.js';
import { reportFleetStatus } from './status-line.js';

export const DEFAULT_DEVICE_URL = 'ws://127.0.0.1:8080/ws/device';

export const spec = defineCommand({
  usage: 'npm run simulate -- phones [options]',
  summary: 'Synthetic phones at the waist or in a trouser pocket doing scripted activities (walk, stairs, jog, sit, stand, lie), streaming over real WebSockets.',
  options: {
    phones: { type: 'integer', min: 1, max: 20_000, default: 10, aliases: ['count'], description: 'number of phones' },
    rate: { type: 'number', min: 10, max: 200, default: 50, description: 'sample rate per phone, Hz' },
    url: {
      type: 'string',
      default: DEFAULT_DEVICE_URL,
      repeatable: true,
      description: 'device endpoint of the server; several (a,b or repeated --url): phone i starts on the (i mod n)-th and a dropped phone reconnects to the next one',
    },
    reconnect: { type: 'boolean', description: 'reconnect a dropped phone (to the next --url), e.g. through one load-balancer URL; default: on with several --url, off with one' },
    seconds: { type: 'number', min: 0, default: 60, description: 'how long to stream; 0 = until Ctrl-C' },
    encoding: { type: 'string', choices: ['json', 'msgpack'], default: 'json', description: 'frame encoding' },
    'frames-per-second': { type: 'number', min: 0.5, max: 100, default: 10, description: 'frames each phone sends per second' },
    speed: { type: 'number', min: 0.1, max: 100, default: 1, description: 'multiple of real time the phones stream at (device clocks run that much faster)' },
    labels: { type: 'boolean', default: false, description: 'send ground-truth labels (the server then reports truth)' },
    placement: { type: 'string', choices: FLEET_PLACEMENTS, default: 'mixed', description: 'where the phones are carried (mixed: every other phone in a pocket); each says so in its hello' },
    script: { type: 'string', description: 'activity script for every phone, e.g. walking:20,sitting:10 (default: random per phone; jogging needs --placement pocket)' },
    seed: { type: 'integer', default: 1, description: 'random seed of the fleet' },
    'id-prefix': { type: 'string', default: 'sim-phone', description: 'device ids are <prefix>-0001…' },
    'status-every': { type: 'number', min: 0.5, default: 5, description: 'seconds between status lines on stderr' },
  },
  notes: [
    'The last stdout line is JSON: {"phones","connected","seconds","framesSent","predictions","predictionsPerSec","latencyMs":{"server":{…},"client":{…}},"errors","placement"}',
    'and, with several --url or --reconnect, "reconnects", "resumed" (reconnects whose session the server continued), "framesResent" and "framesDropped" (made while reconnecting) and "perUrl" (phones connected to each at the end);',
    'and, with --labels, "accuracy" and "macroF1" of the served labels against the scripted activities (windows the server gives a truth),',
    'overall and per placement ("perPlacement": {"pocket": {"scoredWindows","accuracy","macroF1","recall":{class: r}}, "waist": {…}}).',
  ].join('\n'),
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const urls = parseDeviceUrls(o.url);
  const url = urls.join(', ');
  const placement = o.placement;
  let script;
  try {
    script = o.script === undefined ? undefined : parseScript(o.script);
    checkScriptFits(placement, o.phones, script);
  } catch (err) {
    throw new CliError(`--script: ${(err as Error).message}`);
  }
  const seconds = o.seconds;
  // With labels, the server reports each window's truth: score the served labels against it,
  // over every activity name (a model without jogging gets jogging windows wrong, as it should).
  const scorer = new HarScorer(ACTIVITY_NAMES);
  const byPlacement = new Map<SimPlacement, HarScorer>();
  console.error(`phones: connecting ${o.phones} phones to ${url} (${o.rate} Hz, ${o.encoding}, placement ${placement})…`);
  const fleet = await PhoneFleet.start({
    url: urls,
    reconnect: o.reconnect === undefined ? undefined : o.reconnect,
    count: o.phones,
    rateHz: o.rate,
    encoding: o.encoding,
    framesPerSecond: o['frames-per-second'],
    speed: o.speed,
    labels: o.labels,
    script,
    seed: o.seed,
    placement,
    idPrefix: o['id-prefix'],
    onPrediction: (_id, p, _clientMs, phonePlacement) => {
      if (p.truth === undefined || !scorer.classes.includes(p.label)) return;
      scorer.add(p.truth, p.label);
      const own = byPlacement.get(phonePlacement) ?? new HarScorer(ACTIVITY_NAMES);
      own.add(p.truth, p.label);
      byPlacement.set(phonePlacement, own);
    },
  });
  const connectedIn = fleet.elapsedSeconds;
  console.error(`phones: ${fleet.counters().connected} connected in ${connectedIn.toFixed(1)} s; streaming${seconds > 0 ? ` for ${seconds} s` : ' until Ctrl-C'}`);

  const start = performance.now();
  const stopStatus = reportFleetStatus(fleet, o['status-every'] * 1000);

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
      ...(urls.length > 1 || o.reconnect ? [['reconnects (resumed)', `${c.reconnects} (${c.resumed})`] as [string, string]] : []),
      ...Object.entries(c.errors).map(([k, v]): [string, number] => [`errors: ${k}`, v ?? 0]),
    ],
  );
  const scored = scorer.count > 0 ? scorer.result() : undefined;
  const perPlacement = Object.fromEntries(
    [...byPlacement]
      .filter(([, s]) => s.count > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([p, s]) => {
        const r = s.result();
        const recall = Object.fromEntries(
          Object.entries(r.perClass)
            .filter(([, c]) => c.support > 0)
            .map(([c, v]) => [c, v.recall]),
        );
        return [p, { scoredWindows: r.n, accuracy: r.accuracy, macroF1: r.macroF1, recall }];
      }),
  );
  if (scored) {
    console.log(`\nserved labels vs the phones' scripted activities: accuracy ${scored.accuracy.toFixed(4)}, macro-F1 ${scored.macroF1.toFixed(4)} over ${scored.n} windows`);
    for (const [p, r] of Object.entries(perPlacement)) console.log(`  ${p}: accuracy ${r.accuracy.toFixed(4)}, macro-F1 ${r.macroF1.toFixed(4)} over ${r.scoredWindows} windows`);
  }
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
        placement,
        ...(urls.length > 1 || o.reconnect ? { reconnects: c.reconnects, resumed: c.resumed, framesResent: c.framesResent, framesDropped: c.framesDropped, perUrl: c.perUrl } : {}),
        ...(scored ? { scoredWindows: scored.n, accuracy: scored.accuracy, macroF1: scored.macroF1, perPlacement } : {}),
      },
      4,
    ),
  );
}
