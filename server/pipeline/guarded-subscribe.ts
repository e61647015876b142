// The pipeline's own operators subscribe to their source with plain observers. RxJS does not
// route an exception thrown inside such an observer to the operator's output: it reports it as
// unhandled, by rethrowing it on a timer, which ends the process. Likewise an exception in a
// scheduled action escapes from the scheduler's timer. These helpers send such an exception down
// the operator's output as an error instead: the device's pipeline ends (DevicePipeline tells
// its session, which closes that device), and nothing reaches process level.
import type { Observable, Subscriber, Subscription } from 'rxjs';

export interface GuardedHandlers<T> {
  next(value: T): void;
  /** Default: complete the output. */
  complete?(): void;
}

/** Subscribes an operator's handlers to its source; a handler that throws errors `subscriber`. */
export function subscribeGuarded<T, R>(source: Observable<T>, subscriber: Subscriber<R>, handlers: GuardedHandlers<T>): Subscription {
  return source.subscribe({
    next(value) {
      try {
        handlers.next(value);
      } catch (err) {
        subscriber.error(err);
      }
    },
    error: (err: unknown) => subscriber.error(err),
    complete() {
      try {
        if (handlers.complete) handlers.complete();
        else subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      }
    },
  });
}

/** A timer callback of an operator; if it throws, `subscriber` errors instead of the scheduler's timer. */
export function guarded<R>(subscriber: Subscriber<R>, work: () => void): () => void {
  return () => {
    try {
      work();
    } catch (err) {
      subscriber.error(err);
    }
  };
}
