#!/bin/sh
# Starts the Barid node of the operator profile in folder $1 (each profile's start.sh calls it).
# First start makes the data directory (nodes/node/.data/<operator> unless BARID_DATA_DIR is
# set), keys and database, and, unless BARID_TRUST_LIST names a federation trust list, a
# development federation of this operator alone (spec 10.6).
# Settings: spec/15-operations.md (environment variables, or --config node.json); --help lists
# them (the node prints them, and starts nothing).
# BARID_COMPILED=1 runs the build (`pnpm build` in nodes/node) with plain Node, for production.
# Either way this script execs Node itself (no npx, tsx CLI or shell in between): the PID it
# hands back is the node's, so SIGTERM and SIGINT stop it gracefully and SIGHUP reloads its keys
# (spec 15.6). tsx is then a loader inside it, resolved from nodes/node's dependencies.
profile=$(cd "$1" && pwd) || exit 1
shift
cd "$(dirname "$0")/.." || exit 1
# A fresh clone has no dependencies yet: say what to run, not Node's stack for a missing tsx.
if [ ! -d node_modules ]; then
  echo "start: $(pwd)/node_modules is missing: the workspace is not installed; run npm run bootstrap at the root of the repository first" >&2
  exit 1
fi
if [ "${BARID_COMPILED:-}" = 1 ]; then
  if [ ! -f dist/main.js ]; then
    echo "start: BARID_COMPILED=1 but nodes/node/dist/main.js is missing: run pnpm build in nodes/node" >&2
    exit 1
  fi
  exec node --conditions=barid-dist dist/main.js --profile "$profile" "$@"
fi
exec node --import tsx src/main.ts --profile "$profile" "$@"
