// Dashboard branch: the raw signal (in g) thinned to `hz` by device time, rounded for compact
// JSON, and gathered into one batch every `intervalMs` for charts.
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { guarded, subscribeGuarded } from './guarded-subscribe.js';
import type { SignalPoints, TimedFrame } from './types.js';

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

export function downsampleSignal(hz: number): OperatorFunction<TimedFrame, SignalPoints> {
  const stepMs = 1000 / hz;
  return (source) =>
    new Observable<SignalPoints>((subscriber) => {
      let lastKept = -Infinity;
      return subscribeGuarded(source, subscriber, {
        next(frame) {
          const points: SignalPoints = { t: [], x: [], y: [], z: [] };
          for (let i = 0; i < frame.t.length; i++) {
            const t = frame.t[i]!;
            if (t < lastKept) lastKept = -Infinity; // the device clock went back: start over
            if (t - lastKept < stepMs) continue;
            lastKept = t;
            points.t.push(t);
            points.x.push(round4(frame.x[i]!));
            points.y.push(round4(frame.y[i]!));
            points.z.push(round4(frame.z[i]!));
          }
          if (points.t.length > 0) subscriber.next(points);
        },
      });
    });
}

/**
 * Gathers points into one batch per `intervalMs`. The timer starts with the first point of a
 * batch and is not re-armed while nothing arrives, so thousands of devices whose signal nobody
 * watches cost no timers at all (bufferTime ticks forever, per device).
 */
export function batchSignal(intervalMs: number, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<SignalPoints, SignalPoints> {
  return (source) =>
    new Observable<SignalPoints>((subscriber) => {
      let parts: SignalPoints[] = [];
      let timer: Subscription | undefined;
      const flush = guarded(subscriber, () => {
        timer = undefined;
        if (parts.length === 0) return;
        const batch = parts.length === 1 ? parts[0]! : concatPoints(parts);
        parts = [];
        subscriber.next(batch);
      });
      const sourceSubscription = subscribeGuarded(source, subscriber, {
        next(points) {
          parts.push(points);
          timer ??= scheduler.schedule(flush, intervalMs);
        },
        complete() {
          timer?.unsubscribe();
          flush();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        sourceSubscription.unsubscribe();
      };
    });
}

function concatPoints(parts: SignalPoints[]): SignalPoints {
  return {
    t: parts.flatMap((p) => p.t),
    x: parts.flatMap((p) => p.x),
    y: parts.flatMap((p) => p.y),
    z: parts.flatMap((p) => p.z),
  };
}
