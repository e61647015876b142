// This node's voice in the cluster: every HEARTBEAT_INTERVAL_MS it publishes its heartbeat (role,
// load, the model's shape when it serves inference) and, when it holds devices, its device list
// — also at once whenever that list changes. Whole lists each time, so a lost message costs nothing.
import type { Observable, Subscription } from 'rxjs';
import type { Bus } from '../bus/bus.js';
import { devicesSubject, HEARTBEAT_INTERVAL_MS, NODES_HEARTBEAT_SUBJECT, type NodeHeartbeat, type NodeRole } from '../../protocol/bus-subjects.js';
import type { DeviceInfo } from '../../protocol/sensor-messages.js';

export interface HeartbeatSource {
  role: NodeRole;
  nodeId: string;
  httpUrl?: () => string | undefined;
  /** Load figures now (devices, queue depth, windows/s); CPU is measured here. */
  load: () => Omit<NodeHeartbeat['load'], 'cpu'>;
  /** Inference members: the model's shape (undefined while it is not loaded). */
  model?: () => NodeHeartbeat['model'];
  /** Gateways: their device list. */
  devices?: { devices$: Observable<DeviceInfo[]>; list(): DeviceInfo[] };
}

export class NodeHeartbeatPublisher {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly deviceSubscription: Subscription | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor(
    private readonly bus: Bus,
    private readonly source: HeartbeatSource,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.deviceSubscription = source.devices?.devices$.subscribe((devices) => this.publishDevices(devices));
    this.timer = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
    this.beat();
  }

  /** Publishes the heartbeat (and the device list) now. */
  beat(): void {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const share = (cpu.user + cpu.system) / 1000 / Math.max(1, now - this.lastAt);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const beat: NodeHeartbeat = { role: this.source.role, nodeId: this.source.nodeId, sentAt: Date.now(), load: { ...this.source.load(), cpu: Math.round(share * 1000) / 1000 } };
    const url = this.source.httpUrl?.();
    if (url !== undefined) beat.httpUrl = url;
    const model = this.source.model?.();
    if (model) beat.model = model;
    this.send(NODES_HEARTBEAT_SUBJECT, beat);
    if (this.source.devices) this.publishDevices(this.source.devices.list());
  }

  close(): void {
    clearInterval(this.timer);
    this.deviceSubscription?.unsubscribe();
  }

  private publishDevices(devices: DeviceInfo[]): void {
    this.send(devicesSubject(this.source.nodeId), { gatewayId: this.source.nodeId, devices, sentAt: Date.now() });
  }

  /** A bus that is down (buffer full) or closed costs a heartbeat, never the node. */
  private send(subject: string, payload: unknown): void {
    try {
      this.bus.publish(subject, payload);
    } catch (err) {
      this.onError(err);
    }
  }
}
