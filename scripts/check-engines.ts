// Every installed package must run on every Node the project says it supports: npm ci prints
// EBADENGINE when a dependency's engines.node excludes the running Node, which is how dependency
// bumps once raised the real requirement above package.json's "engines" unnoticed. Checks
// package-lock.json (what `npm ci` installs): each package's engines.node must contain the whole
// of the project's range (semver subset), not only the Node that happens to run the check.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

export interface EngineMismatch {
  /** Lockfile key, e.g. node_modules/cookie. */
  path: string;
  version: string;
  /** The package's engines.node, which leaves out part of the project's range. */
  wants: string;
}

interface LockPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

export interface Lockfile {
  packages: Record<string, LockPackage>;
}

/** The packages whose engines.node does not accept every Node version of `projectRange`. */
export function findEngineMismatches(lock: Lockfile, projectRange: string): EngineMismatch[] {
  if (!semver.validRange(projectRange)) throw new Error(`package.json engines.node "${projectRange}" is not a valid range`);
  const mismatches: EngineMismatch[] = [];
  for (const [path, pkg] of Object.entries(lock.packages)) {
    if (path === '') continue; // the project itself
    // Old packages may still declare engines as an array of strings; npm ignores those.
    const wants = pkg.engines && !Array.isArray(pkg.engines) ? pkg.engines.node : undefined;
    if (wants && !semver.subset(projectRange, wants)) mismatches.push({ path, version: pkg.version ?? '?', wants });
  }
  return mismatches;
}

const HELP = `Usage: npx tsx scripts/check-engines.ts [--root DIR]   (npm run check:engines)

Checks every package in DIR/package-lock.json (default: this checkout) against package.json's
engines.node: each package's own engines.node must accept every Node version of that range.
Lists offenders on stderr; last stdout line: {"ok", "claims", "packages", "mismatches"}.
Exit 1 on a mismatch.`;

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const rootAt = argv.indexOf('--root');
  const root = rootAt >= 0 ? argv[rootAt + 1] : fileURLToPath(new URL('..', import.meta.url));
  if (!root) throw new Error('--root needs a folder');
  const project = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { engines?: { node?: string } };
  const lock = JSON.parse(readFileSync(`${root}/package-lock.json`, 'utf8')) as Lockfile;
  const range = project.engines?.node;
  if (!range) throw new Error('package.json has no engines.node');
  const mismatches = findEngineMismatches(lock, range);
  for (const m of mismatches) process.stderr.write(`${m.path}@${m.version} wants node ${m.wants}: not all of package.json's engines.node ${range}\n`);
  process.stdout.write(`${JSON.stringify({ ok: mismatches.length === 0, claims: range, packages: Object.keys(lock.packages).length - 1, mismatches: mismatches.length })}\n`);
  return mismatches.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
