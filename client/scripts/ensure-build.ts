// Builds client/dist when it is missing or older than the client's sources, so `npm start` and
// the browser tests never serve a stale client. A lock directory keeps concurrent callers (test
// files running in parallel) from building at the same time.
//   npx tsx client/scripts/ensure-build.ts          build if needed
//   npx tsx client/scripts/ensure-build.ts --check  exit 1 if a build is needed, without building
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLIENT_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_DIR = join(CLIENT_DIR, '..');
export const DIST_DIR = join(CLIENT_DIR, 'dist');
const LOCK_DIR = join(CLIENT_DIR, '.build-lock');
/** A lock older than this was left by a crashed build. */
const STALE_LOCK_MS = 5 * 60_000;

/** Newest modification time (ms) of the files a build reads. */
function newestSourceTime(): number {
  let newest = 0;
  const visit = (path: string) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== 'dist' && name !== 'node_modules' && !name.startsWith('.')) visit(join(path, name));
    } else {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  // Everything the client bundles from outside client/.
  for (const dir of [CLIENT_DIR, 'protocol', 'models/images/convolution', 'data/mnist']) visit(dir === CLIENT_DIR ? dir : join(REPO_DIR, dir));
  return newest;
}

/** Why a build is needed, or undefined when dist is current. */
export function buildNeeded(): string | undefined {
  const built = statSync(join(DIST_DIR, 'index.html'), { throwIfNoEntry: false });
  if (!built) return 'client/dist is missing';
  if (newestSourceTime() > built.mtimeMs) return 'client sources changed since the last build';
  return undefined;
}

function runViteBuild(): Promise<void> {
  const vite = join(REPO_DIR, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', join(CLIENT_DIR, 'vite.config.ts'), '--logLevel', 'warn'], {
      cwd: REPO_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed with exit code ${code}`))));
  });
}

function tryLock(): boolean {
  try {
    mkdirSync(LOCK_DIR);
    return true;
  } catch {
    const st = statSync(LOCK_DIR, { throwIfNoEntry: false });
    if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
    return false;
  }
}

/** Builds the client if needed; resolves to whether it built. */
export async function ensureClientBuild(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<boolean> {
  for (;;) {
    const reason = buildNeeded();
    if (!reason) return false;
    if (tryLock()) {
      try {
        // Another process may have finished a build between our check and the lock.
        const still = buildNeeded();
        if (!still) return false;
        log(`building the client (${still})…`);
        const started = Date.now();
        await runViteBuild();
        log(`client built into client/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return true;
      } finally {
        rmSync(LOCK_DIR, { recursive: true, force: true });
      }
    }
    await new Promise((r) => setTimeout(r, 500)); // someone else is building: wait for them
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--help')) {
    process.stdout.write('Usage: tsx client/scripts/ensure-build.ts [--check]\nBuilds client/dist when missing or stale; --check only reports (exit 1 when a build is needed).\n');
  } else if (process.argv.includes('--check')) {
    const reason = buildNeeded();
    process.stdout.write(`${JSON.stringify({ buildNeeded: reason !== undefined, reason: reason ?? null })}\n`);
    process.exitCode = reason ? 1 : 0;
  } else {
    ensureClientBuild().catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
  }
}
