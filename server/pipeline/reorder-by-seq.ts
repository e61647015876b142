// Stage: puts frames back in `seq` order. A frame that arrives ahead of a missing one waits at
// most `maxWaitMs` (or until `maxPending` frames wait); then the missing seqs are given up and
// the waiting frames go on in order. Frames older than what was already emitted (late or
// duplicate) are dropped: the resampler cannot go back in time.
import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { guarded, subscribeGuarded } from './guarded-subscribe.js';

export interface ReorderOptions {
  maxWaitMs: number;
  maxPending: number;
  /** The seq the stream starts at (the protocol says 0). */
  firstSeq?: number;
  scheduler?: SchedulerLike;
  /** Told about frames dropped as late/duplicate and seqs given up as lost. */
  onDrop?: (event: { kind: 'late' | 'duplicate' | 'lost'; seq: number; count?: number }) => void;
}

export function reorderBySeq<T extends { seq: number }>(opts: ReorderOptions): OperatorFunction<T, T> {
  const scheduler = opts.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<T>((subscriber) => {
      let expected = opts.firstSeq ?? 0;
      const pending = new Map<number, T>();
      let timer: Subscription | undefined;

      const emitConsecutive = () => {
        for (let next = pending.get(expected); next !== undefined; next = pending.get(expected)) {
          pending.delete(expected);
          expected++;
          subscriber.next(next);
        }
      };
      const skipToOldestPending = () => {
        let oldest = Infinity;
        for (const seq of pending.keys()) oldest = Math.min(oldest, seq);
        if (oldest === Infinity) return;
        opts.onDrop?.({ kind: 'lost', seq: expected, count: oldest - expected });
        expected = oldest;
        emitConsecutive();
      };
      const rearm = () => {
        timer?.unsubscribe();
        timer = undefined;
        if (pending.size === 0) return;
        timer = scheduler.schedule(
          guarded(subscriber, () => {
            timer = undefined;
            skipToOldestPending();
            rearm();
          }),
          opts.maxWaitMs,
        );
      };

      const sourceSubscription = subscribeGuarded(source, subscriber, {
        next(frame) {
          const seq = frame.seq;
          if (seq < expected) return opts.onDrop?.({ kind: 'late', seq });
          if (pending.has(seq)) return opts.onDrop?.({ kind: 'duplicate', seq });
          if (seq === expected) {
            expected++;
            subscriber.next(frame);
            const hadPending = pending.size > 0;
            emitConsecutive();
            if (hadPending) rearm(); // the wait restarts for the next missing seq
            return;
          }
          pending.set(seq, frame);
          if (pending.size > opts.maxPending) {
            skipToOldestPending();
            rearm();
          } else if (!timer) {
            rearm();
          }
        },
        complete() {
          timer?.unsubscribe();
          while (pending.size > 0) skipToOldestPending();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        sourceSubscription.unsubscribe();
      };
    });
}
