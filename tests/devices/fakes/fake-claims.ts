// Device slots as a session sees them (DeviceClaims): a real DeviceRegistry (one slot per id,
// `overloaded` beyond maxDevices) that counts releases, or refuses every claim with `refuse`.
import type { DeviceInfo } from '../../../protocol/sensor-messages.js';
import type { ValidationError } from '../../../protocol/validate-sensor.js';
import { DeviceRegistry, type DeviceClaims } from '../../../server/devices/device-registry.js';

export class FakeClaims implements DeviceClaims {
  private readonly registry: DeviceRegistry;
  /** Releases that freed a slot (a second call of the same release frees nothing). */
  releases = 0;
  refuse: ValidationError | undefined;

  constructor(maxDevices = 200) {
    this.registry = new DeviceRegistry(maxDevices);
  }

  /** Ids claimed and not released. */
  get held(): string[] {
    return this.registry.list().map((d) => d.deviceId);
  }

  claim(info: DeviceInfo): ReturnType<DeviceClaims['claim']> {
    if (this.refuse) return { ok: false, error: this.refuse };
    const claim = this.registry.claim(info);
    if (!claim.ok) return claim;
    const count = this.registry.size;
    return {
      ok: true,
      release: () => {
        claim.release();
        if (this.registry.size < count) this.releases++;
      },
    };
  }
}
