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
 * V8 favours memory over speed: pages compacted and given back after each full collection rather
 * than kept for the next saw-tooth, and 1 MB semi-spaces in the main thread (more collections).
 * `npm run bench -- fuzz` (defaults, 2 cores, with SERVER_ENV): RSS growth over the attack +108 MB
 * without it (one run), +73, +88 and +74 MB with it; phones' p99 1.22x the calm run's without,
 * 1.45x, 1.52x and 1.81x with: it trades their latency for memory (server/README.md, Operations).
 * Tried instead: `--compact-on-every-full-gc` (4 MB semi-spaces kept), +66/+84/+91 MB and 1.42x/
 * 1.73x/2.18x in three runs, where this flag gave +51 MB and 1.85x in the same noisy hour: no better.
 * Without it on 5 Dec (windowed fuzz): 1.35x/+111 MB (heap growing 20%), and with glibc's mmap and
 * trim thresholds fixed at 128 KiB 1.41x/+90 and 1.49x/+128 MB: the p99 held in all three, the RSS
 * in one. With it, 1.51x/+56 MB (heap growing 100%) and 1.56-1.73x/+76-84 MB: still the same trade.
 */
export const MEMORY_FLAG = '--optimize-for-size';

/** Node flags of a server process run from its TypeScript sources (tsx's loader first, as the tsx command does). */
export const SERVER_NODE_FLAGS: readonly string[] = ['--import', 'tsx', `--max-semi-space-size=${SEMI_SPACE_MB}`, MEMORY_FLAG, '--import', SOURCE_MAPS_OFF];

/** The same young generation for worker threads (V8 gives a third of it to each semi-space). */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_MB };
