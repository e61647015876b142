// A fake accelerometer for the phone page: an init script that dispatches synthetic
// `devicemotion` events (accelerationIncludingGravity in m/s², like a real phone) from a
// recorded synthetic walk, at its sample rate. Optional iOS-style permission request.
import type { Page } from 'playwright-core';
import { STANDARD_GRAVITY, type Activity } from '../../../protocol/sensor-messages.js';
import { SyntheticPhone } from '../../../simulators/synthetic-phone.js';

export interface FakeMotionOptions {
  activity?: Activity;
  seconds?: number;
  rateHz?: number;
  seed?: number;
  /** Emulate iOS: DeviceMotionEvent.requestPermission() resolves to this. */
  permission?: 'granted' | 'denied';
}

interface InitArgs {
  xs: number[];
  ys: number[];
  zs: number[];
  intervalMs: number;
  permission: 'granted' | 'denied' | null;
}

export async function installFakeMotion(page: Page, opts: FakeMotionOptions = {}): Promise<void> {
  const rateHz = opts.rateHz ?? 50;
  const phone = new SyntheticPhone({ seed: opts.seed ?? 3, rateHz, script: [{ activity: opts.activity ?? 'walking', seconds: 3600 }] });
  const s = phone.next(Math.round((opts.seconds ?? 20) * rateHz));
  const toMs2 = (a: Float32Array) => Array.from(a, (v) => Math.round(v * STANDARD_GRAVITY * 1e4) / 1e4);
  const args: InitArgs = { xs: toMs2(s.x), ys: toMs2(s.y), zs: toMs2(s.z), intervalMs: 1000 / rateHz, permission: opts.permission ?? null };
  await page.addInitScript((a: InitArgs) => {
    const w = window as unknown as { __motion: { dispatched: number; permissionRequests: number } };
    w.__motion = { dispatched: 0, permissionRequests: 0 };
    if (a.permission) {
      (DeviceMotionEvent as unknown as { requestPermission: () => Promise<string> }).requestPermission = async () => {
        w.__motion.permissionRequests++;
        return a.permission!;
      };
    }
    let i = 0;
    setInterval(() => {
      const k = i++ % a.xs.length; // loop the recording
      window.dispatchEvent(
        new DeviceMotionEvent('devicemotion', {
          accelerationIncludingGravity: { x: a.xs[k]!, y: a.ys[k]!, z: a.zs[k]! },
          interval: a.intervalMs,
        }),
      );
      w.__motion.dispatched++;
    }, a.intervalMs);
  }, args);
}
