// Stage 1: drops invalid `samples` frames, reporting each one's typed error (the device gets an
// error frame, with the seq as the device sent it); valid ones continue as typed arrays with their
// arrival time and their seq in the session's numbering (RawFrame.seqOffset).
import { Observable, type OperatorFunction } from 'rxjs';
import type { ProtocolLimits, Units } from '../../protocol/sensor-messages.js';
import { validateSamples, type ValidationError } from '../../protocol/validate-sensor.js';
import { subscribeGuarded } from './guarded-subscribe.js';
import type { RawFrame, TimedFrame } from './types.js';

export function validateFrames(limits: ProtocolLimits, units: Units, onInvalid: (error: ValidationError) => void): OperatorFunction<RawFrame, TimedFrame> {
  return (source) =>
    new Observable<TimedFrame>((subscriber) =>
      subscribeGuarded(source, subscriber, {
        next(raw) {
          const result = validateSamples(raw.value, limits, units);
          if (!result.ok) {
            onInvalid(result.error);
            return;
          }
          const frame = result.value as TimedFrame;
          frame.receivedAt = raw.receivedAt;
          if (raw.seqOffset) frame.seq += raw.seqOffset;
          subscriber.next(frame);
        },
      }),
    );
}
