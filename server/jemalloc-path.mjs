// Where jemalloc is installed, for the server's LD_PRELOAD (server/process-flags.ts). Plain
// JavaScript so that `npm start` can ask it before Node starts the server:
// `LD_PRELOAD=$(node server/jemalloc-path.mjs) ... tsx ... server/main.ts` prints the preload list
// (the caller's own LD_PRELOAD, then jemalloc if found), or nothing: an empty LD_PRELOAD is harmless.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Debian/Ubuntu (`apt-get install libjemalloc2`) on x86-64 and arm64, Fedora/RHEL, source builds. */
export const JEMALLOC_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/usr/lib64/libjemalloc.so.2',
  '/usr/lib/libjemalloc.so.2',
  '/usr/local/lib/libjemalloc.so.2',
];

/** The installed library, or undefined (none found, or not Linux). */
export function jemallocPath() {
  if (process.platform !== 'linux') return undefined;
  return JEMALLOC_CANDIDATES.find((p) => existsSync(p));
}

/** `current` (the caller's LD_PRELOAD) with jemalloc appended when it is installed and not listed yet. */
export function ldPreload(current = process.env.LD_PRELOAD ?? '') {
  const lib = jemallocPath();
  if (!lib || current.split(/[: ]/).includes(lib)) return current;
  return current ? `${current}:${lib}` : lib;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(ldPreload());
