// `npx tsx models/store/migrate-history.ts [--check] [dir...]`: moves each model's per-epoch
// training history to the one key every model uses, `metrics.history` (older image and HAR
// models kept it in `extra.history`). No retraining, no number changed: the JSON is parsed and
// written back with the store's own formatting (2 spaces, final newline), the array moved as is.
// Default: every folder of models/trained. --check: change nothing, exit 1 if a file needs moving.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRAINED_MODELS_DIR } from './model-store.js';

const HELP = `usage: npx tsx models/store/migrate-history.ts [--check] [model dir...]
Moves extra.history to metrics.history in each model's metadata.json (default: every model in models/trained).
  --check   report only; exit 1 when a metadata file still needs migrating
  --help    this text
Progress on stderr; the last stdout line is a JSON summary.`;

type Json = Record<string, unknown>;

/** The metadata with its history under metrics.history, or undefined when nothing needs moving. */
export function migrateHistory(metadata: Json): Json | undefined {
  const extra = metadata.extra as Json | undefined;
  if (!extra || !Array.isArray(extra.history)) return undefined;
  const metrics = (metadata.metrics ?? {}) as Json;
  if (metrics.history !== undefined) throw new Error(`${String(metadata.name)}: history under both extra and metrics`);
  const { history, ...restExtra } = extra;
  const out: Json = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (k === 'extra') out.extra = restExtra;
    else if (k === 'metrics') out.metrics = { ...metrics, history };
    else out[k] = v;
  }
  // A model without metrics gets them just before extra.
  if (!('metrics' in metadata)) return { ...out, metrics: { history } };
  return out;
}

function main(argv: string[]): number {
  if (argv.includes('--help')) {
    console.log(HELP);
    return 0;
  }
  const check = argv.includes('--check');
  const dirs = argv.filter((a) => !a.startsWith('--'));
  const targets = dirs.length > 0 ? dirs : readdirSync(TRAINED_MODELS_DIR).map((d) => join(TRAINED_MODELS_DIR, d));
  const migrated: string[] = [];
  for (const dir of targets) {
    const file = join(dir, 'metadata.json');
    if (!existsSync(file)) continue;
    const next = migrateHistory(JSON.parse(readFileSync(file, 'utf8')) as Json);
    if (!next) continue;
    migrated.push(file);
    if (check) console.error(`${file}: history still in extra.history`);
    else {
      writeFileSync(file, JSON.stringify(next, null, 2) + '\n');
      console.error(`${file}: extra.history -> metrics.history`);
    }
  }
  console.log(JSON.stringify({ check, files: migrated.length, migrated }));
  return check && migrated.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
