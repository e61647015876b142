// The load shedder as a device connection sees it: counts pokes, says overloaded when told to,
// and keeps the devices that put themselves forward so a test can shed them.
import type { Sheddable } from '../../../server/devices/load-shedder.js';

export class FakeShedder {
  overloaded = false;
  pokes = 0;
  readonly tracked = new Set<Sheddable>();

  poke(): void {
    this.pokes++;
  }

  track(device: Sheddable): () => void {
    this.tracked.add(device);
    return () => void this.tracked.delete(device);
  }

  /** Sheds every tracked device, as the real shedder does with the newest under overload. */
  shedAll(reason: string): void {
    for (const d of [...this.tracked]) d.shed(reason);
  }
}
