// The fan-out part's two faces. Device sessions (ingest) write predictions and signal into a
// PredictionSink and ask it whether anyone watches their device; the dashboard hub reads the
// same streams from a LiveFeed and tells it what its dashboards watch. In one process both are
// LocalFeed (below); across processes the bus carries them (server/fan-out/bus-feed.ts).
import { Subject, type Observable } from 'rxjs';
import type { DeviceInfo, PredictionMessage, SignalMessage } from '../../protocol/sensor-messages.js';

/** What dashboards watch: every device, or these ids. */
export type WatchSet = '*' | ReadonlySet<string>;

/** What a device session needs of fan-out. */
export interface PredictionSink {
  prediction(message: PredictionMessage): void;
  signal(message: SignalMessage): void;
  /** Whether any dashboard watches the device now: devices skip their signal branch when none does. */
  isWatched(deviceId: string): boolean;
}

/** What the dashboard hub needs of fan-out. */
export interface LiveFeed {
  /** The device list (every ingest node's devices); emits on every change. */
  readonly devices$: Observable<DeviceInfo[]>;
  devices(): DeviceInfo[];
  readonly predictions$: Observable<PredictionMessage>;
  readonly signals$: Observable<SignalMessage>;
  /** The hub's dashboards now watch this (asked per prediction and per frame: keep it a lookup). */
  setWatching(watching: WatchSet): void;
}

/** Where the ingest side's device list comes from (DeviceRegistry). */
export interface DeviceList {
  readonly devices$: Observable<DeviceInfo[]>;
  list(): DeviceInfo[];
}

/** Fan-out within one process: sessions and the hub share Subjects. */
export class LocalFeed implements PredictionSink, LiveFeed {
  private readonly predictionsSubject = new Subject<PredictionMessage>();
  private readonly signalsSubject = new Subject<SignalMessage>();
  readonly predictions$: Observable<PredictionMessage> = this.predictionsSubject.asObservable();
  readonly signals$: Observable<SignalMessage> = this.signalsSubject.asObservable();
  readonly devices$: Observable<DeviceInfo[]>;
  private watching: WatchSet = new Set();

  constructor(private readonly deviceList: DeviceList) {
    this.devices$ = deviceList.devices$;
  }

  devices(): DeviceInfo[] {
    return this.deviceList.list();
  }

  prediction(message: PredictionMessage): void {
    this.predictionsSubject.next(message);
  }

  signal(message: SignalMessage): void {
    this.signalsSubject.next(message);
  }

  isWatched(deviceId: string): boolean {
    return this.watching === '*' || this.watching.has(deviceId);
  }

  setWatching(watching: WatchSet): void {
    this.watching = watching;
  }

  close(): void {
    this.predictionsSubject.complete();
    this.signalsSubject.complete();
  }
}
