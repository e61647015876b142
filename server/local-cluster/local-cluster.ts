// A Sensorium cluster on this machine, for newcomers (`npm run cluster`) and benchmarks
// (`npm run bench -- cluster`): nats-server (spawned with JetStream in a temp folder unless a
// NATS URL is given), M inference members and N gateways, each its own `server/main.ts`
// process. Ready once every gateway's /api/health counts all the gateways and inference members;
// stopped in order: gateways first (they drain their devices' pending windows through the
// inference members), then inference members, then nats-server.
import { childPidsNamed, NodeProcess, NodeStartError, processCpuMs } from './node-process.js';
import { startNatsServer, type NatsServer } from '../../cli/nats-server.js';

export interface LocalClusterOptions {
  gateways: number;
  inference: number;
  /** An existing NATS (nats://HOST:PORT[,…]); undefined: spawn nats-server. */
  natsUrl?: string;
  /** Gateways listen on basePort…, inference members after them; 0: free ports. */
  basePort?: number;
  /** Options every server process gets (e.g. --model untrained, --no-demo). */
  serverArgs?: readonly string[];
  /** Options only the gateways get (e.g. --max-devices 2000). */
  gatewayArgs?: readonly string[];
  /** Options for the i-th gateway only (0-based), after gatewayArgs. */
  perGatewayArgs?: (index: number) => readonly string[];
  /** Options only the inference members get. */
  inferenceArgs?: readonly string[];
  /** Progress messages. */
  log?: (message: string) => void;
  /** Each server's log lines, with its node id. */
  onNodeLog?: (nodeId: string, line: string) => void;
  /** How long the whole cluster may take to come up, ms. */
  startTimeoutMs?: number;
}

export interface ClusterHealth {
  cluster?: { gateways: number; inferenceMembers: number };
}

export class LocalCluster {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly natsUrl: string,
    /** Set when this launcher spawned nats-server (and so stops it). */
    private readonly nats: NatsServer | undefined,
    readonly gateways: NodeProcess[],
    readonly inference: NodeProcess[],
    private readonly log: (message: string) => void,
  ) {}

  static async start(opts: LocalClusterOptions): Promise<LocalCluster> {
    const log = opts.log ?? (() => {});
    const basePort = opts.basePort ?? 0;
    const portOf = (i: number) => (basePort === 0 ? 0 : basePort + i);
    let nats: NatsServer | undefined;
    let natsUrl = opts.natsUrl;
    if (!natsUrl) {
      nats = await startNatsServer({ jetstream: true });
      natsUrl = nats.url;
      log(`cluster: nats-server listening on ${natsUrl} (JetStream on, temp storage)`);
    }
    const started: NodeProcess[] = [];
    const startNode = async (role: 'gateway' | 'inference', nodeId: string, port: number, args: readonly string[]) => {
      const node = await NodeProcess.start({
        role,
        nodeId,
        bus: natsUrl,
        port,
        args: [...(opts.serverArgs ?? []), ...args],
        onLog: (line) => opts.onNodeLog?.(nodeId, line),
        startTimeoutMs: opts.startTimeoutMs ?? 120_000,
      });
      started.push(node);
      log(`cluster: ${role} ${nodeId} listening on ${node.url} (pid ${node.pid})`);
      return node;
    };
    try {
      // Started side by side: each loads TensorFlow.js for a few seconds.
      const starting = [
        ...Array.from({ length: opts.inference }, (_, i) => startNode('inference', `inference-${i + 1}`, portOf(opts.gateways + i), opts.inferenceArgs ?? [])),
        ...Array.from({ length: opts.gateways }, (_, i) => startNode('gateway', `gateway-${i + 1}`, portOf(i), [...(opts.gatewayArgs ?? []), ...(opts.perGatewayArgs?.(i) ?? [])])),
      ];
      const results = await Promise.allSettled(starting);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const nodes = results.map((r) => (r as PromiseFulfilledResult<NodeProcess>).value);
      const inference = nodes.filter((n) => n.role === 'inference');
      const gateways = nodes.filter((n) => n.role === 'gateway').sort((a, b) => a.nodeId.localeCompare(b.nodeId, 'en', { numeric: true }));
      inference.sort((a, b) => a.nodeId.localeCompare(b.nodeId, 'en', { numeric: true }));
      const cluster = new LocalCluster(natsUrl, nats, gateways, inference, log);
      await cluster.waitUntilComplete(opts.startTimeoutMs ?? 120_000);
      log(`cluster: every gateway sees ${gateways.length} gateway(s) and ${inference.length} inference member(s)`);
      return cluster;
    } catch (err) {
      // A child that died or hung at start: stop the rest, then report it.
      await Promise.allSettled(started.map((n) => n.stop(5000)));
      await nats?.dispose();
      throw err;
    }
  }

  /** Every process of the cluster, gateways first. */
  get nodes(): NodeProcess[] {
    return [...this.gateways, ...this.inference];
  }

  /** Pid of the nats-server this launcher spawned (undefined: an external NATS). */
  get natsPid(): number | undefined {
    if (!this.nats) return undefined;
    return (this.cachedNatsPid ??= childPidsNamed('nats-server')[0]);
  }
  private cachedNatsPid: number | undefined;

  /** CPU time of every process so far, ms: the server processes and the nats-server spawned here. */
  cpuMs(): { total: number; byProcess: Record<string, number> } {
    const byProcess: Record<string, number> = {};
    for (const n of this.nodes) byProcess[n.nodeId] = n.cpuMs();
    const natsPid = this.natsPid;
    if (natsPid !== undefined) {
      const ms = processCpuMs(natsPid);
      if (ms !== undefined) this.lastNatsCpuMs = ms;
      byProcess['nats-server'] = this.lastNatsCpuMs;
    }
    return { total: Object.values(byProcess).reduce((a, b) => a + b, 0), byProcess };
  }
  private lastNatsCpuMs = 0;

  /** Polls every gateway's /api/health until it counts all gateways and inference members; fails if a process dies meanwhile. */
  private async waitUntilComplete(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const want = { gateways: this.gateways.length, inference: this.inference.length };
    let last = '';
    for (;;) {
      const dead = this.nodes.find((n) => !n.running);
      if (dead) throw new NodeStartError(`${dead.role} ${dead.nodeId} exited while the cluster was forming`);
      const views = await Promise.all(this.gateways.map((g) => fetchHealth(g.url)));
      const complete = views.every((h) => h?.cluster?.gateways === want.gateways && h.cluster.inferenceMembers === want.inference);
      if (complete) return;
      last = views.map((h, i) => `${this.gateways[i]!.nodeId}: ${h?.cluster ? `${h.cluster.gateways} gateway(s), ${h.cluster.inferenceMembers} inference` : 'no answer'}`).join('; ');
      if (performance.now() > deadline) throw new NodeStartError(`the cluster did not form within ${timeoutMs} ms (${last})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Stops gateways, then inference members, then the nats-server spawned here. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.cpuMs(); // last readings, for callers that report CPU after stopping
      this.log('cluster: stopping gateways');
      await Promise.allSettled(this.gateways.map((n) => n.stop()));
      this.log('cluster: stopping inference members');
      await Promise.allSettled(this.inference.map((n) => n.stop()));
      if (this.nats) {
        this.log('cluster: stopping nats-server');
        await this.nats.dispose();
      }
    })();
    return this.stopping;
  }
}

async function fetchHealth(url: string): Promise<ClusterHealth | undefined> {
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    return (await res.json()) as ClusterHealth;
  } catch {
    return undefined;
  }
}
