#!/usr/bin/env bash
# `npm run demo`: brings up the local control plane (built once from Go modules, then cached),
# syncs every example of examples/ with live progress, and prints each report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/cluster/cluster.sh up
export KUBECONFIG="$PWD/.cluster/kubeconfig"
mkdir -p .cluster/reports
status=0
sync() {
  local app=$1; shift
  printf '\n\033[1m━━ wavesync sync %s ━━\033[0m\n' "$app"
  node dist/cli.js sync --app "$app" --report ".cluster/reports/$app.json" "$@" || status=1
}
sync todo --manifests examples/todo --namespace todo
sync team-a --manifests examples/sync-hook-wave --namespace team-a --sync-options CreateNamespace=true
sync guestbook --manifests examples/argo-hooks --namespace guestbook --sync-options CreateNamespace=true
sync myapp --manifests examples/sherpack-myapp --namespace myapp --sync-options CreateNamespace=true
cat <<MSG

The cluster keeps running. Look around:
  export KUBECONFIG=$KUBECONFIG
  kubectl get all,jobs,secrets -n team-a        # what the seed 001 example left
  kubectl get secrets -A -l app.kubernetes.io/managed-by=wavesync   # inventory records
  cat .cluster/reports/team-a.json              # the JSON report (docs/report-format.md)
  node dist/cli.js sync --app todo --manifests examples/todo --namespace todo   # run again: an upgrade
Stop it with: npm run cluster:down
MSG
exit $status
