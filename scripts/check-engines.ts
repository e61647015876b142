// Every installed package must run on every Node the project says it supports: npm ci prints
// EBADENGINE when a dependency's engines.node excludes the running Node, which is how a
// dependency bump silently raised the real requirement above package.json's "engines" before.
// Checks package-lock.json (what `npm ci` installs) against the lowest Node of the project's
// range and against the Node running this check.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

export interface EngineMismatch {
  /** Lockfile key, e.g. node_modules/cookie. */
  path: string;
  version: string;
  wants: string;
  /** The Node version it excludes. */
  excludes: string;
}

interface LockPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

export interface Lockfile {
  packages: Record<string, LockPackage>;
}

/** The Node versions the check holds every package to: the range's minimum and, when given, the running one. */
export function nodeVersionsToCheck(projectRange: string, runningNode?: string): string[] {
  const lowest = semver.validRange(projectRange) ? semver.minVersion(projectRange) : null;
  if (!lowest) throw new Error(`package.json engines.node "${projectRange}" is not a valid range`);
  const versions = [lowest.version];
  const running = runningNode ? semver.clean(runningNode) : null;
  if (running && semver.satisfies(running, projectRange) && !versions.includes(running)) versions.push(running);
  return versions;
}

export function findEngineMismatches(lock: Lockfile, nodeVersions: readonly string[]): EngineMismatch[] {
  const mismatches: EngineMismatch[] = [];
  for (const [path, pkg] of Object.entries(lock.packages)) {
    if (path === '') continue; // the project itself
    // Old packages may still declare engines as an array of strings; npm ignores those.
    const wants = pkg.engines && !Array.isArray(pkg.engines) ? pkg.engines.node : undefined;
    if (!wants) continue;
    for (const node of nodeVersions) {
      if (!semver.satisfies(node, wants, { includePrerelease: true })) {
        mismatches.push({ path, version: pkg.version ?? '?', wants, excludes: node });
      }
    }
  }
  return mismatches;
}

const HELP = `Usage: npx tsx scripts/check-engines.ts [--root DIR]

Checks every package in DIR/package-lock.json (default: this checkout) against package.json's
engines.node: each must accept the lowest Node of that range and the Node running the check.
Lists offenders on stderr; last stdout line: {"ok", "checkedNode", "packages", "mismatches"}.
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
  const nodeVersions = nodeVersionsToCheck(range, process.version);
  const mismatches = findEngineMismatches(lock, nodeVersions);
  for (const m of mismatches) {
    process.stderr.write(`${m.path}@${m.version} wants node ${m.wants}, excluding ${m.excludes} (package.json engines.node: ${range})\n`);
  }
  process.stdout.write(`${JSON.stringify({ ok: mismatches.length === 0, checkedNode: nodeVersions, packages: Object.keys(lock.packages).length - 1, mismatches: mismatches.length })}\n`);
  return mismatches.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
