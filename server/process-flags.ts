// How a server process and its worker threads start, in one place: `npm start` (package.json, kept
// equal by tests/server/process-flags.test.ts), the load-test servers (simulators/server-process.ts),
// the local cluster's nodes (server/local-cluster/node-process.ts) and the inference and image
// workers. Figures: server/README.md, Operations, "Hostile input".
import { fileURLToPath } from 'node:url';
import type { ResourceLimits } from 'node:worker_threads';

/**
 * Young generation, MB per semi-space. Under a high allocation rate (hostile frames decoded and
 * dropped) V8 grows it up to 16 MB a semi-space, 32 MB held, and keeps it once the rate falls;
 * 4 MB means more, shorter scavenges.
 */
export const SEMI_SPACE_MB = 4;

/** The preload that leaves tsx's source maps off (see the file). */
export const SOURCE_MAPS_OFF = fileURLToPath(new URL('./source-maps-off.mjs', import.meta.url));

/**
 * Environment of a server process, read by glibc's malloc before Node starts (so `npm start` sets
 * it in its command line). glibc gives each thread that allocates an arena of its own, up to 8 per
 * core, and memory freed in one arena is not reused by another: with the server's worker threads,
 * libuv's pool and V8's helper threads that was ~40 MB of RSS at rest. `npm run bench -- fuzz` on
 * 2 cores, RSS after the calm phase: 404-429 MB in four runs without, 357-388 MB in four with 2 arenas.
 * The fixed thresholds: glibc serves a block of 128 KiB or more with mmap and unmaps it when freed,
 * but after the first such free it raises that threshold to the block's size (up to 32 MiB), so
 * hostile bodies and frames of up to a few MiB then come from the arenas, where what is freed may
 * stay in the RSS. Fixed, a large block is always given back when freed.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' };

/*
 * Not V8's --optimize-for-size, the default until 5 Dec 2026: it compacts the heaps and gives pages
 * back after each full collection, but forces 1 MB semi-spaces in the main thread (more scavenges,
 * more promotion, a full collection every ~4 s with 10-21 ms pauses), and the phones' p99 under the
 * fuzz was 1.45-1.85x the calm one in seven full runs (RSS growth +51 to +88 MB). Without it, 1.22x,
 * 1.38x and 1.35x (a 20% heap growing factor), but RSS +108, +120 and +111 MB; without it and with the fixed malloc thresholds
 * above, phones 1.41x, typists 1.28x, RSS +90 MB (server/README.md, Operations, "Hostile input").
 */

/** Node flags of a server process run from its TypeScript sources (tsx's loader first, as the tsx command does). */
export const SERVER_NODE_FLAGS: readonly string[] = ['--import', 'tsx', `--max-semi-space-size=${SEMI_SPACE_MB}`, '--import', SOURCE_MAPS_OFF];

/** The same young generation for worker threads (V8 gives a third of it to each semi-space). */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_MB };
