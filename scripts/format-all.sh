#!/usr/bin/env bash
# Reformats the whole tree with Prettier (.prettierrc; skips .prettierignore and .gitignore), then
# checks that types and lint still pass. Run it once when nobody else is editing: it refuses a work
# tree with uncommitted changes so the reformat is a commit of its own. Afterwards commit it and add
# `npm run format:check` to .ci/run after `npm run lint`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "format-all: the work tree has uncommitted changes; commit them (or wait for their owners) first" >&2
  exit 1
fi
nice -n 15 npx prettier --write . --log-level warn
nice -n 15 npx tsc --noEmit -p .
nice -n 15 npm run --silent lint
echo "format-all: $(git diff --name-only | wc -l) files reformatted ($(git diff --shortstat | sed 's/^ *//'))" >&2
echo "commit with: git commit -am 'Prettier over the whole tree (scripts/format-all.sh)'" >&2
