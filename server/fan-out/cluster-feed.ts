// Fan-out across nodes. This node's own devices and dashboards meet in the LocalFeed, as in one
// process; the bus carries the rest:
//  - every prediction of a local device is published (NATS drops it when no node listens);
//  - signal is published only while some other node's dashboards watch the device;
//  - the hub's watch set decides which remote devices' predictions and signal this node
//    subscribes to (one wildcard for "every device", else one subscription per device), and is
//    published so gateways know what to compute;
//  - the device list is this node's devices plus the other gateways' (ClusterView).
import { combineLatest, map, merge, Subject, type Observable } from 'rxjs';
import type { Bus, BusSubscription } from '../bus/bus.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import {
  ALL_PREDICTIONS_SUBJECT,
  ALL_SIGNALS_SUBJECT,
  ALL_WATCHING_SUBJECT,
  HEARTBEAT_INTERVAL_MS,
  NODE_EXPIRY_MS,
  predictionsSubject,
  signalsSubject,
  watchingSubject,
  type WatchingPayload,
} from '../../protocol/bus-subjects.js';
import type { DeviceInfo, PredictionMessage, SignalMessage } from '../../protocol/sensor-messages.js';
import type { LiveFeed, LocalFeed, PredictionSink, WatchSet } from './live-feed.js';

export class ClusterFeed implements PredictionSink, LiveFeed {
  readonly devices$: Observable<DeviceInfo[]>;
  readonly predictions$: Observable<PredictionMessage>;
  readonly signals$: Observable<SignalMessage>;
  private readonly remotePredictions = new Subject<PredictionMessage>();
  private readonly remoteSignals = new Subject<SignalMessage>();
  /** Subscriptions for remote devices: '*' -> the wildcards, else per device id. */
  private readonly remoteSubscriptions = new Map<string, BusSubscription[]>();
  /** What other nodes' dashboards watch (nodeId -> set and when heard). */
  private readonly remoteWatching = new Map<string, { watching: '*' | Set<string>; heardAt: number }>();
  private watching: WatchSet = new Set();
  private readonly watchingSubscription: BusSubscription;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly bus: Bus,
    private readonly view: ClusterView,
    private readonly local: LocalFeed,
    /** Is this device streaming to this node? (Its messages then come through the local feed.) */
    private readonly isLocal: (deviceId: string) => boolean,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.devices$ = combineLatest([local.devices$, view.remoteDevices$]).pipe(map(([mine, theirs]) => [...mine, ...theirs]));
    this.predictions$ = merge(local.predictions$, this.remotePredictions);
    this.signals$ = merge(local.signals$, this.remoteSignals);
    this.watchingSubscription = bus.subscribe(ALL_WATCHING_SUBJECT, (p) => this.onRemoteWatching(p));
    this.timer = setInterval(() => this.publishWatching(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  devices(): DeviceInfo[] {
    return [...this.local.devices(), ...this.view.remoteDevices()];
  }

  prediction(message: PredictionMessage): void {
    this.local.prediction(message);
    this.publish(predictionsSubject(message.deviceId), message);
  }

  signal(message: SignalMessage): void {
    this.local.signal(message);
    if (this.remotelyWatched(message.deviceId)) this.publish(signalsSubject(message.deviceId), message);
  }

  isWatched(deviceId: string): boolean {
    return this.local.isWatched(deviceId) || this.remotelyWatched(deviceId);
  }

  setWatching(watching: WatchSet): void {
    this.local.setWatching(watching);
    this.watching = watching;
    const wanted = new Set(watching === '*' ? ['*'] : watching);
    for (const [key, subs] of this.remoteSubscriptions) {
      if (!wanted.has(key)) {
        for (const s of subs) s.unsubscribe();
        this.remoteSubscriptions.delete(key);
      }
    }
    for (const key of wanted) {
      if (this.remoteSubscriptions.has(key)) continue;
      const predictions = key === '*' ? ALL_PREDICTIONS_SUBJECT : predictionsSubject(key);
      const signals = key === '*' ? ALL_SIGNALS_SUBJECT : signalsSubject(key);
      this.remoteSubscriptions.set(key, [
        this.bus.subscribe(predictions, (p) => this.onRemote(p, 'prediction', this.remotePredictions)),
        this.bus.subscribe(signals, (p) => this.onRemote(p, 'signal', this.remoteSignals)),
      ]);
    }
    this.publishWatching();
  }

  close(): void {
    clearInterval(this.timer);
    this.watchingSubscription.unsubscribe();
    for (const subs of this.remoteSubscriptions.values()) for (const s of subs) s.unsubscribe();
    this.remoteSubscriptions.clear();
    this.remotePredictions.complete();
    this.remoteSignals.complete();
  }

  /** A remote device's message: checked (untrusted bytes), and skipped when the device is ours. */
  private onRemote<T extends { type: string; deviceId: string }>(payload: unknown, type: T['type'], into: Subject<T>): void {
    const m = payload as Partial<T> | null;
    if (!m || typeof m !== 'object' || m.type !== type || typeof m.deviceId !== 'string' || this.isLocal(m.deviceId)) return;
    into.next(m as T);
  }

  private onRemoteWatching(payload: unknown): void {
    const p = payload as Partial<WatchingPayload> | null;
    if (!p || typeof p.nodeId !== 'string' || p.nodeId === this.view.nodeId) return;
    if (p.watching === '*') this.remoteWatching.set(p.nodeId, { watching: '*', heardAt: Date.now() });
    else if (Array.isArray(p.watching)) this.remoteWatching.set(p.nodeId, { watching: new Set(p.watching.filter((id): id is string => typeof id === 'string')), heardAt: Date.now() });
  }

  private remotelyWatched(deviceId: string): boolean {
    if (this.remoteWatching.size === 0) return false;
    const now = Date.now();
    for (const [nodeId, w] of this.remoteWatching) {
      if (now - w.heardAt > NODE_EXPIRY_MS) {
        this.remoteWatching.delete(nodeId);
        continue;
      }
      if (w.watching === '*' || w.watching.has(deviceId)) return true;
    }
    return false;
  }

  private publishWatching(): void {
    const w = this.watching;
    if (w !== '*' && w.size === 0 && this.remoteSubscriptions.size === 0) return; // nothing watched here: stay quiet
    this.publish(watchingSubject(this.view.nodeId), { nodeId: this.view.nodeId, watching: w === '*' ? '*' : [...w], sentAt: Date.now() } satisfies WatchingPayload);
  }

  /** A bus that is down (buffer full) or closed costs this message, never the device. */
  private publish(subject: string, payload: unknown): void {
    try {
      this.bus.publish(subject, payload);
    } catch (err) {
      this.onError(err);
    }
  }
}
