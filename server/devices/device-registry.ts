// Who is streaming right now: one entry per deviceId (WebSocket devices and Sensor Logger
// pushes alike), and the streams dashboards listen to: device list changes, predictions and
// downsampled signal of every device.
import { BehaviorSubject, Subject } from 'rxjs';
import type { DeviceInfo, PredictionMessage, SignalMessage } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceInfo>();
  /** The current device list; emits on every connect and disconnect. */
  readonly devices$ = new BehaviorSubject<DeviceInfo[]>([]);
  readonly predictions$ = new Subject<PredictionMessage>();
  readonly signals$ = new Subject<SignalMessage>();
  /**
   * Whether any dashboard watches a device now (the dashboard hub answers). Devices skip their
   * signal branch when none does: with thousands of devices and no dashboard, that is most of them.
   */
  watched: (deviceId: string) => boolean = () => false;

  constructor(private readonly maxDevices: number) {}

  get size(): number {
    return this.devices.size;
  }

  list(): DeviceInfo[] {
    return [...this.devices.values()];
  }

  /** Registers a device; on success returns the function that removes it again. */
  claim(info: DeviceInfo): { ok: true; release: () => void } | { ok: false; error: ValidationError } {
    if (this.devices.has(info.deviceId)) {
      return { ok: false, error: { code: 'id-in-use', message: `device '${info.deviceId}' is already connected; use another deviceId or close the other connection` } };
    }
    if (this.devices.size >= this.maxDevices) {
      return { ok: false, error: { code: 'overloaded', message: `the server takes at most ${this.maxDevices} devices at a time; try again later` } };
    }
    this.devices.set(info.deviceId, info);
    this.devices$.next(this.list());
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.devices.delete(info.deviceId);
        this.devices$.next(this.list());
      },
    };
  }

  close(): void {
    this.devices$.complete();
    this.predictions$.complete();
    this.signals$.complete();
  }
}
