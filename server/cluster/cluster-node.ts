// A server process as a member of a cluster: the bus-side parts its role needs.
//  - gateway (and all): windows go to the inference members through RemoteInference; fan-out
//    crosses nodes through ClusterFeed; the cluster is seen through ClusterView.
//  - inference (and all): the local batcher answers the `inference` queue group (InferenceService).
//  - every role: a heartbeat (role, load, model shape) and, for gateways, the device list.
// Without a cluster none of this exists: one process wires the same interfaces directly.
import type { BatchingConfig } from '../config.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { ClusterFeed } from '../fan-out/cluster-feed.js';
import type { LocalFeed } from '../fan-out/live-feed.js';
import type { HarInference } from '../inference/har-inference.js';
import type { ModelShape } from '../inference/window-inference.js';
import type { ModelStatus } from '../model-status.js';
import { InferenceService } from '../inference/inference-service.js';
import { RemoteInference } from '../inference/remote-inference.js';
import type { Log } from '../log.js';
import type { ClusterMembership } from '../app.js';
import { ClusterView } from './cluster-view.js';
import { NodeHeartbeatPublisher } from './node-heartbeat.js';
import { KvSessionDirectory } from './session-directory.js';

export interface ClusterNodeDeps {
  /** This process's batcher (inference and all roles). */
  harInference: HarInference | undefined;
  harUnavailable(): string | undefined;
  /** Whether this process's HAR model is a trained one (told to gateways with its shape). */
  harTrained: boolean;
  registry: DeviceRegistry;
  localFeed: LocalFeed;
  batching: BatchingConfig;
  log: Log;
  /** Where this node serves HTTP, once listening (told in heartbeats). */
  httpUrl(): string | undefined;
}

/**
 * Windows a gateway may have waiting for inference replies: the local queue's bound, times 8 —
 * when a member dies, its share of a whole request timeout waits to go elsewhere.
 */
const IN_FLIGHT_PER_QUEUE_SLOT = 8;
/** How long a window may wait in all, in request timeouts (one lost to a dead member, one to retry). */
const DEADLINE_IN_TIMEOUTS = 2.5;

export class ClusterNode {
  readonly view: ClusterView;
  readonly inference: RemoteInference | undefined;
  readonly feed: ClusterFeed | undefined;
  /** Gateways: the cluster's device sessions (resume on another gateway). */
  readonly sessions: KvSessionDirectory | undefined;
  private readonly service: InferenceService | undefined;
  private readonly heartbeat: NodeHeartbeatPublisher;
  private load: () => { devices: number; windowsPerSec: number } = () => ({ devices: 0, windowsPerSec: 0 });

  constructor(
    private readonly membership: ClusterMembership,
    private readonly deps: ClusterNodeDeps,
  ) {
    const { bus, role, nodeId, requestTimeoutMs } = membership;
    const busError = (err: unknown) => deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'bus');
    this.view = new ClusterView(bus, nodeId);
    if (role !== 'inference') {
      this.inference = new RemoteInference(bus, () => this.view.model(), {
        requestTimeoutMs,
        deadlineMs: DEADLINE_IN_TIMEOUTS * requestTimeoutMs,
        maxInFlight: deps.batching.maxQueue * IN_FLIGHT_PER_QUEUE_SLOT,
      });
      this.feed = new ClusterFeed(bus, this.view, deps.localFeed, (id) => deps.registry.has(id), busError);
      this.sessions = new KvSessionDirectory(bus, nodeId, busError, (m) => deps.log.warn({}, m));
    }
    if (role !== 'gateway' && deps.harInference) {
      this.service = new InferenceService(bus, deps.harInference, deps.harUnavailable, { onError: busError });
    }
    const har = deps.harInference;
    this.heartbeat = new NodeHeartbeatPublisher(
      bus,
      {
        role,
        nodeId,
        httpUrl: deps.httpUrl,
        load: () => ({ ...this.load(), ...(har ? { queueDepth: har.queueDepth } : {}) }),
        ...(har ? { model: () => (deps.harUnavailable() === undefined ? { ...shapeOf(har.model), trained: deps.harTrained } : undefined) } : {}),
        ...(role !== 'inference' ? { devices: deps.registry } : {}),
      },
      busError,
    );
  }

  /** The gateway's load figures for heartbeats (its device count and windows/s). */
  watchLoad(load: () => { devices: number; windowsPerSec: number }): void {
    this.load = load;
  }

  /** Why devices are refused now: no model here, or (gateways) no inference member heard yet. */
  devicesRefused(): string | undefined {
    if (this.inference && !this.inference.ready) return 'no inference member is up yet (start one with --role inference)';
    return this.membership.role === 'all' ? this.deps.harUnavailable() : undefined;
  }

  /** A gateway's HAR model as /api/health lists it: served by the inference members. */
  remoteModelStatus(): ModelStatus {
    const m = this.view.model();
    const status: ModelStatus = { name: 'har', loaded: m !== undefined, trained: m?.trained ?? false, source: 'inference members over the bus' };
    if (m) status.details = { classes: [...m.classes], windowSize: m.windowSize, hop: m.hop, rateHz: m.rateHz, inferenceMembers: this.view.summary().inferenceMembers };
    return status;
  }

  /** Readiness problems of the cluster side (/api/health answers 503 with them). */
  problems(): string[] {
    const problems: string[] = [];
    if (!this.membership.bus.connected) problems.push('the bus is disconnected (NATS unreachable): reconnecting');
    if (this.inference && this.view.summary().inferenceMembers === 0) problems.push('no inference member is up');
    return problems;
  }

  /** Stops the heartbeat, leaves the inference queue group (answering what was routed here), unsubscribes. */
  async close(): Promise<void> {
    this.heartbeat.close();
    await this.service?.close();
    this.feed?.close();
    this.view.close();
  }
}

/** Just the shape's fields (the model object may be a classifier with a worker behind it). */
function shapeOf(m: ModelShape): { classes: string[]; windowSize: number; hop: number; rateHz: number } {
  return { classes: [...m.classes], windowSize: m.windowSize, hop: m.hop, rateHz: m.rateHz };
}
