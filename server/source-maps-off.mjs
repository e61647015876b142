// Preloaded into every server process (node --import, after tsx), and called again by
// worker-boot.mjs in each worker thread once tsx is registered there. tsx turns Node's source-map
// support on, and Node then keeps every module's parsed map with its TypeScript source: 22 MB of
// live heap in the main thread and 19 MB in the inference worker (server at rest, heap after a full
// collection), and each heap grows by half its live size before its next full collection. Stack
// traces then point into tsx's JavaScript instead of the .ts lines; `--enable-source-maps` (on the
// command line or in NODE_OPTIONS) keeps them on.

/** Turns source maps off for this thread unless --enable-source-maps asked for them. */
export function leaveSourceMapsOff() {
  const asked = process.execArgv.includes('--enable-source-maps') || /(^|\s)--enable-source-maps(\s|$)/.test(process.env.NODE_OPTIONS ?? '');
  if (!asked) process.setSourceMapsEnabled(false);
}

leaveSourceMapsOff();
