// The one policy for tests that need a system program (Chromium, nats-server, a Vulkan driver):
// on a developer's machine without it they skip, saying on stderr what is missing and how to
// get it, so `npm test` passes; in CI (CI is set: .ci/run sets it and installs them) they never
// skip, so a missing program fails the run instead of hiding the tests.
const said = new Set<string>();

export interface Requirement {
  /** Whether the program is there. */
  found: boolean;
  /** What is missing and how to get it: "nats-server not found (apt-get install nats-server)". */
  missing: string;
  /** Which tests skip: "the NATS tests". */
  tests: string;
}

/** True when the tests should be skipped: the program is missing and this is not CI. Says why once per process. */
export function skipWithout({ found, missing, tests }: Requirement, env: NodeJS.ProcessEnv = process.env): boolean {
  if (found || env.CI) return false;
  const line = `${missing}: skipping ${tests} (CI never skips them)`;
  if (!said.has(line)) {
    said.add(line);
    process.stderr.write(`${line}\n`);
  }
  return true;
}
