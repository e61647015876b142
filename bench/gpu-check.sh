#!/usr/bin/env bash
# On a GPU machine, after `npm ci` (and with the GPU's Vulkan driver installed): the webgpu
# correctness checks (every model against WASM, a HAR training step's gradients, the server on
# --backend webgpu) and `npm run bench -- backends` on webgpu and WASM (plus tensorflow-gpu when
# installed), in under 5 minutes. Progress on stderr; one JSON object on stdout:
#   {"tests": {"passed", "failed", "skipped"}, "adapter": {...}, "bench": {...}, "goals": {...}}
# goals (issue 15): served batched/unbatched >= 4, HAR inference at batch 256 >= 10x WASM,
# HAR training >= 5x WASM. An adapter with fallback: true means Dawn found no hardware GPU (only
# SwiftShader): install the vendor's Vulkan driver (e.g. NVIDIA's, which ships its ICD json).
set -uo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "gpu-check: correctness (tests/webgpu) ..." >&2
# CI=true: the webgpu tests never skip; a missing driver is a failure.
CI=true npx vitest run tests/webgpu --reporter=default --reporter=json --outputFile.json="$tmp/tests.json" >&2
tests_rc=$?

backends="webgpu,wasm"
node -e "require.resolve('@tensorflow/tfjs-node-gpu')" 2>/dev/null && backends="tensorflow-gpu,$backends"
echo "gpu-check: npm run bench -- backends --backends $backends --seconds 2 ..." >&2
npm run --silent bench -- backends --backends "$backends" --seconds 2 > "$tmp/bench.out"
bench_rc=$?

TMP="$tmp" TESTS_RC="$tests_rc" BENCH_RC="$bench_rc" node --input-type=module -e '
import { readFileSync, existsSync } from "node:fs";
const dir = process.env.TMP;
const tests = existsSync(`${dir}/tests.json`) ? JSON.parse(readFileSync(`${dir}/tests.json`, "utf8")) : undefined;
const lines = existsSync(`${dir}/bench.out`) ? readFileSync(`${dir}/bench.out`, "utf8").trim().split("\n") : [];
let bench;
try { bench = JSON.parse(lines.at(-1) ?? ""); } catch { bench = undefined; }
const webgpu = bench?.backends?.find((b) => b.backend === "webgpu");
const ratios = bench?.vsWasm?.webgpu ?? {};
const goal = (value, min) => ({ value: value ?? null, min, met: value != null && value >= min });
console.log(JSON.stringify({
  ok: process.env.TESTS_RC === "0" && process.env.BENCH_RC === "0" && webgpu?.available === true,
  tests: tests ? { passed: tests.numPassedTests, failed: tests.numFailedTests, skipped: tests.numPendingTests } : { error: `vitest exited ${process.env.TESTS_RC}` },
  adapter: webgpu?.adapter ?? null,
  goals: webgpu?.available ? { servedBatchedOverUnbatched: goal(webgpu.served?.ratio, 4), inferenceBatch256VsWasm: goal(ratios.inferenceBatch256, 10), harTrainingVsWasm: goal(ratios.harTraining, 5) } : null,
  bench: bench ?? { error: `bench exited ${process.env.BENCH_RC}` },
}));
'
