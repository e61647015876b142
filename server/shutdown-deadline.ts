// Shutdown with a deadline: a graceful close (server/app.ts: devices drain, sockets close,
// recordings flush) that a slow client or a stalled disk cannot hold up for ever. At the
// deadline the connections still open are cut; if the close still has not finished a little
// later, it is given up with ShutdownTimeoutError (npm start then exits 1).
import type { FastifyBaseLogger } from 'fastify';

/** After the deadline's cut, how long the close may still take before it is given up, ms. */
export const SHUTDOWN_GRACE_MS = 2000;

export class ShutdownTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShutdownTimeoutError';
  }
}

export async function closeWithinDeadline(close: () => Promise<void>, deadlineMs: number, cut: () => void, log: FastifyBaseLogger): Promise<void> {
  let cutTimer: ReturnType<typeof setTimeout> | undefined;
  let giveUpTimer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    cutTimer = setTimeout(() => {
      log.warn({ deadlineMs }, 'shutdown deadline passed: cutting the connections still open');
      cut();
      giveUpTimer = setTimeout(() => reject(new ShutdownTimeoutError(`shutdown did not finish within ${deadlineMs + SHUTDOWN_GRACE_MS} ms`)), SHUTDOWN_GRACE_MS);
    }, deadlineMs);
  });
  gaveUp.catch(() => undefined); // settled by the race below, or never
  try {
    await Promise.race([close(), gaveUp]);
  } finally {
    clearTimeout(cutTimer);
    clearTimeout(giveUpTimer);
  }
}
