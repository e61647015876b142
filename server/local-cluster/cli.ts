// `npm run cluster -- --gateways N --inference M [--nats URL] [--base-port P] [--model …]`:
// a local Sensorium cluster for a newcomer. Spawns nats-server (unless --nats), M inference
// members and N gateways, waits until every gateway sees them all, prints where to connect and
// runs until Ctrl-C (or SIGTERM), which it passes on: gateways stop first, then inference, then
// nats-server. Progress and the servers' logs go to stderr; the last stdout line is JSON.
import { fileURLToPath } from 'node:url';
import { defineCommand, parseOptions } from '../../cli/args.js';
import { runMain } from '../../cli/subcommands.js';
import { printResultJson } from '../../cli/report.js';
import { LocalCluster } from './local-cluster.js';
import type { NodeProcess } from './node-process.js';

export const spec = defineCommand({
  usage: 'npm run cluster -- [--gateways N] [--inference M] [--nats nats://HOST:PORT] [--base-port P] [--model trained|untrained|auto]',
  summary: 'Starts a local cluster: nats-server, inference members and gateways, each its own process, and prints their URLs.',
  options: {
    gateways: { type: 'integer', min: 1, max: 32, default: 2, description: 'gateway processes (device, dashboard and text sockets, HTTP)' },
    inference: { type: 'integer', min: 1, max: 32, default: 2, description: 'inference processes (batcher and model workers, one NATS queue group)' },
    nats: { type: 'string', description: 'an existing NATS, nats://HOST:PORT (comma-separated for several); default: spawn nats-server with JetStream in a temp folder' },
    'base-port': { type: 'integer', min: 0, max: 65_000, default: 0, description: 'gateways listen on P, P+1, …, inference members after them (0 = free ports)' },
    model: { type: 'string', choices: ['trained', 'untrained', 'auto'], default: 'auto', description: 'HAR model of the inference members (auto: trained if present)' },
    'demo-phones': { type: 'integer', min: 0, max: 50, default: 3, description: 'synthetic demo phones on the first gateway (0 = none)' },
    'max-devices': { type: 'integer', min: 1, max: 100_000, description: 'devices per gateway (server default 200)' },
    'bus-request-timeout-ms': { type: 'integer', min: 10, max: 60_000, description: 'how long a gateway waits for an inference reply before it retries another member (server default 1000)' },
    'server-args': { type: 'string', description: 'further options for every server process, space-separated, as --server-args="--max-batch 64 …" (see npm start -- --help)' },
    quiet: { type: 'boolean', default: false, description: "don't echo the servers' logs (only their start and exit)" },
  },
  notes: [
    "Node ids are gateway-1…N and inference-1…M. Open a gateway's page URL for the dashboard (/phone/ for a phone);",
    'devices may use any gateway, and a dashboard on one gateway shows the devices of all of them.',
    "Exits 1 with the failing process's last log lines if one dies before the cluster has formed.",
    'Last stdout line: {"nats","gateways":[{"nodeId","url","deviceUrl","dashboardUrl","page","pid"}],"inference":[{"nodeId","url","pid"}]}.',
  ].join('\n'),
});

function urlsOf(cluster: LocalCluster) {
  const gateway = (n: NodeProcess) => ({ nodeId: n.nodeId, url: n.url, deviceUrl: `${n.wsUrl}/ws/device`, dashboardUrl: `${n.wsUrl}/ws/dashboard`, page: `${n.url}/`, pid: n.pid });
  return {
    nats: cluster.natsUrl,
    gateways: cluster.gateways.map(gateway),
    inference: cluster.inference.map((n) => ({ nodeId: n.nodeId, url: n.url, pid: n.pid })),
  };
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const common = ['--model', o.model];
  if (o['bus-request-timeout-ms'] !== undefined) common.push('--bus-request-timeout-ms', String(o['bus-request-timeout-ms']));
  if (o['server-args']) common.push(...o['server-args'].split(/\s+/).filter(Boolean));
  const gatewayArgs = o['max-devices'] !== undefined ? ['--max-devices', String(o['max-devices'])] : [];
  const demoPhones = o['demo-phones'];
  const log = (m: string) => console.error(m);
  let cluster: LocalCluster;
  try {
    cluster = await LocalCluster.start({
      gateways: o.gateways,
      inference: o.inference,
      natsUrl: o.nats,
      basePort: o['base-port'],
      serverArgs: common,
      // Demo phones only on the first gateway: they show the cluster at work without crowding it.
      gatewayArgs,
      perGatewayArgs: (i) => (i === 0 && demoPhones > 0 ? ['--demo-phones', String(demoPhones)] : ['--no-demo']),
      inferenceArgs: ['--no-demo'],
      log,
      onNodeLog: o.quiet ? undefined : (nodeId, line) => console.error(`[${nodeId}] ${line}`),
    });
  } catch (err) {
    console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
    return;
  }

  const urls = urlsOf(cluster);
  for (const g of urls.gateways) console.error(`cluster: ${g.nodeId}: page ${g.page}  devices ${g.deviceUrl}  dashboards ${g.dashboardUrl}`);
  for (const n of urls.inference) console.error(`cluster: ${n.nodeId}: health ${n.url}/api/health`);
  console.error('cluster: ready; Ctrl-C stops it');
  printResultJson(urls);

  // A process that dies later is reported; the others keep serving (that is what a cluster is for).
  for (const n of cluster.nodes) void n.exited.then((e) => stopping || console.error(`cluster: ${n.role} ${n.nodeId} exited (${e.signal ?? `code ${e.code}`})`));
  let stopping = false;
  let stoppingSince = 0;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      // A terminal's Ctrl-C reaches both tsx's wrapper and this process, and the wrapper relays it:
      // the same keypress arrives twice within moments.
      if (stopping && performance.now() - stoppingSince < 1000) return;
      if (stopping) {
        console.error(`cluster: ${signal} again: killing every process now`);
        for (const n of cluster.nodes) n.kill('SIGKILL');
        process.exit(130);
      }
      stopping = true;
      stoppingSince = performance.now();
      console.error(`cluster: ${signal}: stopping`);
      void cluster.stop().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  console.error('cluster: stopped');
}

// Run only as the script (`npm run cluster`), so that tests can import the spec and main.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runMain('cluster', () => main(process.argv.slice(2)));
