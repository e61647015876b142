// How a server process and its worker threads start, in one place: `npm start` (package.json, kept
// equal by tests/server/process-flags.test.ts), the load-test servers (simulators/server-process.ts),
// the local cluster's nodes (server/local-cluster/node-process.ts) and the inference and image
// workers. Figures: server/README.md, Operations, "Hostile input".
import { fileURLToPath } from 'node:url';
import type { ResourceLimits } from 'node:worker_threads';
import { ldPreload } from './jemalloc-path.mjs';

/**
 * Young generation, MB per semi-space. Under a high allocation rate (hostile frames decoded and
 * dropped) V8 grows it up to 16 MB a semi-space, 32 MB held, and keeps it once the rate falls;
 * 4 MB means more, shorter scavenges.
 */
export const SEMI_SPACE_MB = 4;

/** The preload that leaves tsx's source maps off (see the file). */
export const SOURCE_MAPS_OFF = fileURLToPath(new URL('./source-maps-off.mjs', import.meta.url));

/** jemalloc's settings: a background thread gives freed pages back to the system after 1 s. */
export const JEMALLOC_CONF = 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0';

/**
 * Environment of a server process, read by the C library's loader and malloc before Node starts
 * (so `npm start` sets it in its command line). jemalloc (`apt-get install libjemalloc2`) is preloaded
 * when installed: under hostile bodies of up to a few MiB,
 * glibc's malloc kept what it had freed, +25 to +62 MB of RSS outside the V8 heaps over a full
 * `npm run bench -- fuzz`, against +5 to +11 MB with jemalloc in four runs (server/README.md, Operations). Without it,
 * `MALLOC_ARENA_MAX=2` still helps glibc: it gives each allocating thread an arena of its own, up to 8
 * per core, and does not reuse one arena's free memory in another (~40 MB of RSS at rest); jemalloc
 * ignores it, as glibc ignores `MALLOC_CONF`.
 */
const PRELOAD = ldPreload();
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_CONF: JEMALLOC_CONF, ...(PRELOAD ? { LD_PRELOAD: PRELOAD } : {}) };

/**
 * Node flags of a server process run from its TypeScript sources (tsx's loader first, as the tsx
 * command does).
 *
 * V8's `--optimize-for-size` was the default until 5 Dec 2026 and is no longer passed: it kept the
 * main heap compact (+11 MB reserved over a fuzz run, against +40 to +46 without) at the price of
 * 1 MB semi-spaces and more collections, and the phones' p99 met its 1.5x target in one of nine full
 * fuzz runs with it (1.45-1.85x), against five of five without (1.22-1.49x). With jemalloc the RSS
 * fits without it. Tried as well: `--compact-on-every-full-gc` (no better), heap growing 20% (the
 * main heap grew as much), glibc's mmap and trim thresholds fixed at 128 KiB (+90 and +128 MB), and
 * the flag set at run time over 4 MB semi-spaces (1.80x, +105 MB).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--import', 'tsx', `--max-semi-space-size=${SEMI_SPACE_MB}`, '--import', SOURCE_MAPS_OFF];

/** The same young generation for worker threads (V8 gives a third of it to each semi-space). */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_MB };
