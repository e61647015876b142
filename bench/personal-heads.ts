// `--personalised FRACTION` for the har-stream bench: stores a personal head for that share of
// the fleet's device ids (spread evenly: with 0.5 every other phone) in a temporary folder the
// server under test reads as its personal folder. The heads start from the served model's own
// head with a small deterministic change, so they are valid for it and load at hello: the server
// then applies them per device, which is the cost being measured (fitting happens once per
// person and is timed by the calibration tests and the personalised eval). The heads are written
// by a short-lived child process (preparePersonalHeadsInChild): loading tfjs and the model in the
// load generator's own process would slow it and make its frames burstier.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarClassifier, ModelNotFoundError } from '../models/har/classifier.js';
import { headFingerprint, type PersonalHead } from '../models/har/personal-head.js';
import { initBackend } from '../models/runtime/backend.js';
import { PersonalStore } from '../server/calibration/personal-store.js';

/** preparePersonalHeads in a child process (same arguments); resolves with its result. */
export async function preparePersonalHeadsInChild(ids: readonly string[], fraction: number, backend: string): Promise<{ dir: string; count: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify({ ids, fraction, backend })], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { dir: string; count: number };
}

/** Whether phone i (0-based) of a fleet is personalised at this fraction: evenly spread. */
export function isPersonalised(i: number, fraction: number): boolean {
  return Math.floor((i + 1) * fraction) > Math.floor(i * fraction);
}

/** Writes heads for the personalised ids among `ids`; returns the folder and how many. */
export async function preparePersonalHeads(ids: readonly string[], fraction: number, backend: string, modelDir?: string): Promise<{ dir: string; count: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'sensorium-bench-personal-'));
  if (fraction <= 0) return { dir, count: 0 };
  await initBackend(backend, (m) => console.error(m));
  // The model the server will serve (harModel 'auto': the trained one, else the untrained seed-1 one).
  let clf: HarClassifier;
  try {
    clf = await HarClassifier.load(modelDir);
  } catch (err) {
    if (!(err instanceof ModelNotFoundError)) throw err;
    clf = HarClassifier.untrained();
  }
  const shared = clf.headWeights();
  clf.dispose();
  const store = new PersonalStore(dir);
  let count = 0;
  for (let i = 0; i < ids.length; i++) {
    if (!isPersonalised(i, fraction)) continue;
    const head: PersonalHead = {
      ...shared,
      kernel: shared.kernel.map((v, k) => v * (1 + 0.05 * Math.sin(i + k))),
      bias: shared.bias.map((v, k) => v + 0.05 * Math.cos(i + k)),
      sharedFingerprint: headFingerprint(shared),
      calibrated: [...shared.classes],
      windows: {},
      trainAccuracy: 1,
      fittedAt: new Date().toISOString(),
    };
    await store.save(ids[i]!, head);
    count++;
  }
  return { dir, count };
}

// As a child process: argv[2] is {ids, fraction, backend}; the last stdout line is {dir, count}.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = JSON.parse(process.argv[2] ?? '{}') as { ids: string[]; fraction: number; backend: string };
  preparePersonalHeads(args.ids, args.fraction, args.backend).then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
