// Where a bus sends errors nobody else takes (handler failures, undecodable payloads) when its
// creator gives no onError: stderr, at most one line per second, so a flood of hostile messages
// costs one line a second and not a disk.
export type BusErrorListener = (err: Error, subject: string) => void;

export function throttledStderrReporter(label: string, intervalMs = 1_000): BusErrorListener {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (err, subject) => {
    const now = performance.now();
    if (now - lastAt < intervalMs) {
      suppressed++;
      return;
    }
    const more = suppressed > 0 ? ` (+${suppressed} more since the last report)` : '';
    suppressed = 0;
    lastAt = now;
    process.stderr.write(`[${label}] ${subject}: ${err.message}${more}\n`);
  };
}

/** Calls listener and keeps its own failure from spreading (it runs on the bus's delivery path). */
export function reportSafely(listener: BusErrorListener, err: Error, subject: string): void {
  try {
    listener(err, subject);
  } catch {
    // An error listener that throws has nowhere better to report to.
  }
}
