#!/bin/sh
# Starts this operator's Barid node from the profile in this folder. First start makes the
# data directory (nodes/node/.data/<operator> unless BARID_DATA_DIR is set), keys and database,
# and, unless BARID_TRUST_LIST names a federation trust list, a development federation of this
# operator alone (spec 10.6).
# Settings: spec/15-operations.md (environment variables, or --config node.json).
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../node" && exec npx tsx src/main.ts --profile "$here" "$@"
