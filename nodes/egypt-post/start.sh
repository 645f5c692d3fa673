#!/bin/sh
# Starts this operator's Barid node from the profile in this folder. First start makes the
# data directory (nodes/node/.data/<operator> unless BARID_DATA_DIR is set), keys and database.
# Settings: spec/15-operations.md (environment variables, or --config node.json).
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../node" && exec npx tsx src/main.ts --profile "$here" "$@"
