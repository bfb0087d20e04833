#!/usr/bin/env bash
# The project's two entry points on any machine, fresh or not:
#   npm test      → bash scripts/dev.sh test   (type check, lint, unit and e2e tests on the real control plane)
#   npm run demo  → bash scripts/dev.sh demo   (start the local control plane, sync the examples, show the report)
# Each installs what is missing first: Node 24 (from the npm registry), the npm dependencies,
# and (through test/cluster/cluster.sh) the control-plane binary built from Go modules, cached.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PATH="$(bash scripts/node24.sh):$PATH"
export PATH

# Installs the locked dependencies when the lock file changed since the last install (a stamp
# inside node_modules). `npm install`, not `npm ci`: npm 11 rejects this lock file in `ci` because
# it lists the optional per-platform bindings of unrs-resolver (a jest dependency) without entries
# for platforms other than this one, while `install` installs exactly the locked versions.
install_dependencies() {
  local stamp=node_modules/.wavesync-lock
  if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then return; fi
  echo "▶ npm install (locked versions)" >&2
  for try in 1 2 3; do
    npm install --no-audit --no-fund --loglevel=error && break
    [ "$try" = 3 ] && { echo "npm install failed three times" >&2; exit 1; }
    sleep $((try * 5))
  done
  cp package-lock.json "$stamp"
}

run_tests() {
  echo "▶ type check" >&2
  npx tsc --noEmit
  echo "▶ lint" >&2
  npx eslint .
  npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
  echo "▶ jest: unit and e2e" >&2
  node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js --ci "$@"
}

install_dependencies
case "${1:-}" in
  test) shift; run_tests "$@" ;;
  demo) shift; bash scripts/demo.sh "$@" ;;
  *) echo "usage: scripts/dev.sh test|demo [args]" >&2; exit 2 ;;
esac
