// Who is streaming to this process right now: one entry per deviceId (WebSocket devices and
// Sensor Logger pushes alike), and the device list as a stream (fan-out passes it on).
import { BehaviorSubject } from 'rxjs';
import type { DeviceInfo } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';

/** What a device session needs of the registry: a slot for its id. */
export interface DeviceClaims {
  claim(info: DeviceInfo): { ok: true; release: () => void } | { ok: false; error: ValidationError };
}

export class DeviceRegistry implements DeviceClaims {
  private readonly devices = new Map<string, DeviceInfo>();
  /** The current device list; emits on every connect and disconnect. */
  readonly devices$ = new BehaviorSubject<DeviceInfo[]>([]);

  constructor(private readonly maxDevices: number) {}

  get size(): number {
    return this.devices.size;
  }

  /** Whether the device streams to this process now. */
  has(deviceId: string): boolean {
    return this.devices.has(deviceId);
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
  }
}
