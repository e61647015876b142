// The phone's accelerometer through DeviceMotionEvent: `accelerationIncludingGravity` in m/s²,
// timestamped on the epoch clock. Knows why it cannot run (insecure page, no API, permission
// denied) so the page can say so instead of silently streaming nothing.

export interface MotionSample {
  /** Epoch ms. */
  t: number;
  x: number;
  y: number;
  z: number;
}

export type MotionSupport = { ok: true } | { ok: false; reason: 'insecure-context' | 'no-api'; message: string };

/** iOS 13+ adds a static permission request to DeviceMotionEvent. */
interface DeviceMotionEventWithPermission {
  requestPermission?: () => Promise<'granted' | 'denied'>;
}

export function motionSupport(win: Window = window): MotionSupport {
  if (!win.isSecureContext) {
    return {
      ok: false,
      reason: 'insecure-context',
      message:
        'Motion sensors only work on a secure page. This page was opened over plain http from another machine, ' +
        'so the browser hides the accelerometer. Open it over https://, or through USB port forwarding as ' +
        'http://localhost (see "Streaming from a phone" in client/README.md).',
    };
  }
  if (typeof (win as Window & { DeviceMotionEvent?: unknown }).DeviceMotionEvent === 'undefined') {
    return { ok: false, reason: 'no-api', message: 'This browser has no DeviceMotion API, so it cannot read an accelerometer.' };
  }
  return { ok: true };
}

/**
 * Asks for motion permission where the browser requires it (iOS). Must be called directly from
 * a user gesture (the Start button's click handler), before any other await.
 */
export async function requestMotionPermission(): Promise<'granted' | 'denied' | 'not-needed'> {
  const ctor = DeviceMotionEvent as unknown as DeviceMotionEventWithPermission;
  if (typeof ctor.requestPermission !== 'function') return 'not-needed';
  return ctor.requestPermission();
}

export class MotionSource {
  private listening = false;
  /** Events that carried acceleration (some desktop browsers fire events with null values). */
  samples = 0;
  /** Sampling interval reported by the browser, ms (NaN until the first event). */
  intervalMs = NaN;

  constructor(private readonly onSample: (sample: MotionSample) => void) {}

  /** Nominal rate from the browser's reported interval, clamped to the protocol's 10-200 Hz. */
  get rateHz(): number {
    if (!Number.isFinite(this.intervalMs) || this.intervalMs <= 0) return 60;
    return Math.min(200, Math.max(10, Math.round(1000 / this.intervalMs)));
  }

  start(): void {
    if (this.listening) return;
    this.listening = true;
    window.addEventListener('devicemotion', this.handle);
  }

  stop(): void {
    this.listening = false;
    window.removeEventListener('devicemotion', this.handle);
  }

  private readonly handle = (event: DeviceMotionEvent): void => {
    const a = event.accelerationIncludingGravity;
    if (!a || a.x === null || a.y === null || a.z === null) return;
    // Chrome reports the interval in ms; old iOS reported seconds (values below 1).
    if (Number.isFinite(event.interval) && event.interval > 0) this.intervalMs = event.interval < 1 ? event.interval * 1000 : event.interval;
    this.samples++;
    this.onSample({ t: performance.timeOrigin + event.timeStamp, x: a.x, y: a.y, z: a.z });
  };
}
