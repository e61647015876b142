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

/** Node flags of a server process run from its TypeScript sources (tsx's loader first, as the tsx command does). */
export const SERVER_NODE_FLAGS: readonly string[] = ['--import', 'tsx', `--max-semi-space-size=${SEMI_SPACE_MB}`, '--import', SOURCE_MAPS_OFF];

/** The same young generation for worker threads (V8 gives a third of it to each semi-space). */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_MB };
