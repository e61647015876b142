// What this node knows of the cluster: every node's last heartbeat (role, load, model shape) and
// every gateway's device list, each forgotten NODE_EXPIRY_MS after it was last heard. Gateways
// read the model's shape from it; /api/health and dashboards show it.
import { BehaviorSubject, type Observable } from 'rxjs';
import type { Bus, BusSubscription } from '../bus/bus.js';
import { ALL_DEVICES_SUBJECT, NODE_EXPIRY_MS, NODES_HEARTBEAT_SUBJECT, type GatewayDevicesPayload, type NodeHeartbeat } from '../../protocol/bus-subjects.js';
import type { DeviceInfo } from '../../protocol/sensor-messages.js';
import type { ModelShape } from '../inference/window-inference.js';

export interface ClusterMember {
  nodeId: string;
  role: NodeHeartbeat['role'];
  httpUrl?: string;
  load: NodeHeartbeat['load'];
  /** Ms since it was last heard. */
  ageMs: number;
}

/** The cluster as /api/health and the dashboards' server panel show it. */
export interface ClusterSummary {
  nodeId: string;
  gateways: number;
  inferenceMembers: number;
  members: ClusterMember[];
  devicesByGateway: Record<string, number>;
}

export class ClusterView {
  private readonly nodes = new Map<string, { beat: NodeHeartbeat; heardAt: number }>();
  private readonly gatewayDevices = new Map<string, { devices: DeviceInfo[]; heardAt: number }>();
  private readonly subscriptions: BusSubscription[];
  private readonly sweep: ReturnType<typeof setInterval>;
  private readonly remoteDevicesSubject = new BehaviorSubject<DeviceInfo[]>([]);
  /** Devices of the other gateways (this node's own come from its registry); emits on change. */
  readonly remoteDevices$: Observable<DeviceInfo[]> = this.remoteDevicesSubject.asObservable();

  constructor(
    bus: Bus,
    readonly nodeId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.subscriptions = [bus.subscribe(NODES_HEARTBEAT_SUBJECT, (p) => this.onHeartbeat(p)), bus.subscribe(ALL_DEVICES_SUBJECT, (p) => this.onDevices(p))];
    this.sweep = setInterval(() => this.expire(), NODE_EXPIRY_MS / 3);
    this.sweep.unref();
  }

  /** The served model's shape (and whether it is trained), from the first live inference member that told it. */
  model(): (ModelShape & { trained?: boolean }) | undefined {
    for (const { beat } of this.live()) if (beat.model && (beat.role === 'inference' || beat.role === 'all')) return beat.model;
    return undefined;
  }

  remoteDevices(): DeviceInfo[] {
    return this.remoteDevicesSubject.value;
  }

  summary(): ClusterSummary {
    const t = this.now();
    const members = [...this.live()].map(({ beat, heardAt }) => {
      const m: ClusterMember = { nodeId: beat.nodeId, role: beat.role, load: beat.load, ageMs: t - heardAt };
      if (beat.httpUrl !== undefined) m.httpUrl = beat.httpUrl;
      return m;
    });
    const devicesByGateway: Record<string, number> = {};
    for (const m of members) if (m.role !== 'inference') devicesByGateway[m.nodeId] = m.load.devices ?? 0;
    return {
      nodeId: this.nodeId,
      gateways: members.filter((m) => m.role !== 'inference').length,
      inferenceMembers: members.filter((m) => m.role !== 'gateway').length,
      members,
      devicesByGateway,
    };
  }

  close(): void {
    clearInterval(this.sweep);
    for (const s of this.subscriptions) s.unsubscribe();
    this.remoteDevicesSubject.complete();
  }

  private *live(): Iterable<{ beat: NodeHeartbeat; heardAt: number }> {
    const t = this.now();
    for (const entry of this.nodes.values()) if (t - entry.heardAt <= NODE_EXPIRY_MS) yield entry;
  }

  private onHeartbeat(payload: unknown): void {
    const beat = payload as Partial<NodeHeartbeat> | null;
    if (!beat || typeof beat.nodeId !== 'string' || !['all', 'gateway', 'inference'].includes(beat.role as string) || typeof beat.load !== 'object' || beat.load === null) return;
    if (beat.model !== undefined && !isModelShape(beat.model)) return;
    this.nodes.set(beat.nodeId, { beat: beat as NodeHeartbeat, heardAt: this.now() });
  }

  private onDevices(payload: unknown): void {
    const p = payload as Partial<GatewayDevicesPayload> | null;
    if (!p || typeof p.gatewayId !== 'string' || p.gatewayId === this.nodeId || !Array.isArray(p.devices)) return;
    const devices = p.devices.filter((d): d is DeviceInfo => typeof d === 'object' && d !== null && typeof (d as DeviceInfo).deviceId === 'string');
    this.gatewayDevices.set(p.gatewayId, { devices, heardAt: this.now() });
    this.publishRemoteDevices();
  }

  private expire(): void {
    const t = this.now();
    for (const [id, e] of this.nodes) if (t - e.heardAt > NODE_EXPIRY_MS) this.nodes.delete(id);
    let changed = false;
    for (const [id, e] of this.gatewayDevices) {
      if (t - e.heardAt > NODE_EXPIRY_MS) {
        this.gatewayDevices.delete(id);
        changed = true;
      }
    }
    if (changed) this.publishRemoteDevices();
  }

  private publishRemoteDevices(): void {
    const all: DeviceInfo[] = [];
    for (const e of this.gatewayDevices.values()) all.push(...e.devices);
    this.remoteDevicesSubject.next(all);
  }
}

function isModelShape(m: unknown): m is ModelShape {
  const s = m as Partial<ModelShape> | null;
  return (
    !!s &&
    Array.isArray(s.classes) &&
    s.classes.every((c) => typeof c === 'string') &&
    Number.isInteger(s.windowSize) &&
    s.windowSize! > 0 &&
    Number.isInteger(s.hop) &&
    s.hop! > 0 &&
    typeof s.rateHz === 'number' &&
    s.rateHz > 0
  );
}
