#!/bin/sh
# Starts this operator's Barid node from the profile in this folder; see
# ../node/scripts/start-profile.sh (first start, settings, BARID_COMPILED=1 for production).
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../node/scripts/start-profile.sh" "$here" "$@"
