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
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/**
 * Every full collection compacts the old generation, so the pages that the garbage of a hostile
 * burst left half empty are emptied and given back, not kept reserved (full collections are few:
 * heap-growing.ts). `npm run bench -- fuzz` (defaults, 2 cores, with SERVER_ENV), RSS growth over
 * the attack and phones' p99 against the calm run: without a flag +108 MB, 1.22x (one run); with
 * V8's `--optimize-for-size` +73/+88/+74 MB but 1.45x/1.52x/1.81x (its forced 1 MB semi-spaces in
 * the main thread meant many more collections); with this flag +66 MB, 1.42x (server/README.md, Operations).
 */
export const MEMORY_FLAG = '--compact-on-every-full-gc';

/** Node flags of a server process run from its TypeScript sources (tsx's loader first, as the tsx command does). */
export const SERVER_NODE_FLAGS: readonly string[] = ['--import', 'tsx', `--max-semi-space-size=${SEMI_SPACE_MB}`, MEMORY_FLAG, '--import', SOURCE_MAPS_OFF];

/** The same young generation for worker threads (V8 gives a third of it to each semi-space). */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_MB };
