// Calling a subscription's handler, the same way on both buses: its return value (or promise)
// is the reply to a request, its error goes to the requester and to onError, and nothing it does
// escapes into the bus's delivery loop.
import type { BusHandler, BusMessageInfo } from './bus.js';
import { errorMessage } from './bus-errors.js';
import { reportSafely, type BusErrorListener } from './report-error.js';

/** How to answer a request; absent for a plain publish. */
export interface Replier {
  reply(value: unknown): void;
  fail(message: string): void;
}

/** Promises of handlers still running, so close() can wait for them (and their replies). */
export type InFlight = Set<Promise<unknown>>;

export function runHandler(handler: BusHandler, payload: unknown, info: BusMessageInfo, onError: BusErrorListener, inFlight: InFlight, replier: Replier | undefined): void {
  let result: unknown;
  try {
    result = handler(payload, info);
  } catch (err) {
    handlerFailed(err, info.subject, onError, replier);
    return;
  }
  if (isPromiseLike(result)) {
    const settled = Promise.resolve(result).then(
      (value) => answer(value, info.subject, onError, replier),
      (err: unknown) => handlerFailed(err, info.subject, onError, replier),
    );
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
  } else {
    answer(result, info.subject, onError, replier);
  }
}

function answer(value: unknown, subject: string, onError: BusErrorListener, replier: Replier | undefined): void {
  if (!replier || value === undefined) return;
  try {
    replier.reply(value);
  } catch (err) {
    // The reply could not be sent (e.g. not encodable): the requester learns why instead of timing out.
    handlerFailed(err, subject, onError, replier);
  }
}

function handlerFailed(err: unknown, subject: string, onError: BusErrorListener, replier: Replier | undefined): void {
  reportSafely(onError, err instanceof Error ? err : new Error(String(err)), subject);
  if (!replier) return;
  try {
    replier.fail(errorMessage(err));
  } catch (failErr) {
    reportSafely(onError, failErr instanceof Error ? failErr : new Error(String(failErr)), subject);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;

/** Waits for the running handlers (and those they start) to settle, or until timeoutMs passes. */
export async function settleInFlight(inFlight: InFlight, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (inFlight.size > 0) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
    await Promise.race([Promise.allSettled([...inFlight]), timedOut]);
    clearTimeout(timer);
  }
}
