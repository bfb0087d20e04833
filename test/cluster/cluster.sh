#!/usr/bin/env bash
# Start, stop or inspect the local Kubernetes control plane for e2e tests:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
# kubelet-sim, all from one binary built from test/cluster (see README.md).
#
#   cluster.sh up       build if needed, start, wait until usable (idempotent)
#   cluster.sh down     stop everything this script started (idempotent)
#   cluster.sh status   show each component; exit 0 only if all are up
#
# State goes to $WAVESYNC_CLUSTER_DIR (default <repo>/.cluster): kubeconfig,
# logs/<component>.log, pids/<component>.pid, run/ (PKI, kubeconfigs).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
state=${WAVESYNC_CLUSTER_DIR:-$repo/.cluster}
mkdir -p "$state"
state=$(cd "$state" && pwd -P)
run=$state/run
logs=$state/logs
pids=$state/pids
kubeconfig=$state/kubeconfig

node_name=sim-node-0
components=(etcd kube-apiserver kube-controller-manager kube-scheduler kubelet-sim)
# Everything but node-lifecycle/taint-eviction (no kubelet heartbeats to
# judge), CSR signing and node-ipam (nothing to sign or allocate) and the
# volume controllers (no storage).
controllers=serviceaccount-token-controller,serviceaccount-controller,namespace-controller
controllers+=,garbage-collector-controller,job-controller,cronjob-controller,ttl-after-finished-controller
controllers+=,deployment-controller,replicaset-controller,statefulset-controller,daemonset-controller
controllers+=,replicationcontroller-controller,endpoints-controller,endpointslice-controller
controllers+=,endpointslice-mirroring-controller,disruption-controller,resourcequota-controller
controllers+=,clusterrole-aggregation-controller,root-ca-certificate-publisher-controller
controllers+=,pod-garbage-collector-controller,service-cidr-controller

export GOTOOLCHAIN=local CGO_ENABLED=0
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
  PATH=/usr/local/go/bin:$PATH
fi

log() { printf 'cluster: %s\n' "$*" >&2; }

# --- processes ---------------------------------------------------------------

pid_of() { cat "$pids/$1.pid" 2>/dev/null || true; }

# running PID: the process exists and has not exited. A zombie (exited, not
# yet reaped by its adoptive parent) counts as exited.
running() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]
}

# alive NAME: the recorded process still runs and is still our binary (a
# recycled PID must never be signalled).
alive() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && running "$pid" && ps -o args= -p "$pid" 2>/dev/null | grep -q "k8s-sim $1 "
}

# start NAME ARGS...: run one component in the background. fd 9 (the lock)
# is closed so a long-lived child cannot hold it.
start() {
  local name=$1
  shift
  "$bin" "$name" "$@" </dev/null >"$logs/$name.log" 2>&1 9>&- &
  echo $! >"$pids/$name.pid"
}

# stop_group NAME...: SIGTERM the group's live processes, SIGKILL whatever
# still runs 5 s later.
stop_group() {
  local name pid live=()
  for name in "$@"; do
    if alive "$name"; then
      pid=$(pid_of "$name")
      kill -TERM "$pid" 2>/dev/null || true
      live+=("$pid")
    fi
  done
  local deadline=$((SECONDS + 5))
  for pid in "${live[@]}"; do
    while running "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if running "$pid"; then
      log "pid $pid ignored SIGTERM for 5 s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# stop_all stops clients before the API server before etcd: stopped all at
# once, the API server and etcd each wait on the other's open streams.
stop_all() {
  stop_group kubelet-sim kube-scheduler kube-controller-manager
  stop_group kube-apiserver
  stop_group etcd
  if [ -f "$run/etcd-data-dir" ]; then
    rm -rf "$(cat "$run/etcd-data-dir")"
  fi
  rm -rf "$pids" "$run" "$kubeconfig"
}

# --- failure reporting -------------------------------------------------------

# fail MESSAGE COMPONENT...: show the components' log tails, undo, exit 1.
fail() {
  local msg=$1 name
  shift
  log "ERROR: $msg"
  for name in "$@"; do
    if [ -f "$logs/$name.log" ]; then
      printf '\n----- last lines of %s -----\n' "$logs/$name.log" >&2
      tail -n 40 "$logs/$name.log" >&2
    fi
  done
  trap - EXIT
  stop_all
  exit 1
}

# on_exit: an unexpected error (set -e) during `up` still cleans up.
on_exit() {
  local rc=$?
  if ((rc != 0)); then fail "up failed (exit $rc)" "${components[@]}"; fi
}

# wait_for DESCRIPTION COMPONENT TIMEOUT_S COMMAND...: poll COMMAND every
# 0.1 s; fail early if COMPONENT died.
wait_for() {
  local what=$1 name=$2 timeout=$3 deadline=$((SECONDS + $3))
  shift 3
  until "$@" >/dev/null 2>&1; do
    alive "$name" || fail "$name exited while waiting for $what" "$name"
    ((SECONDS < deadline)) || fail "timed out after $timeout s waiting for $what" "$name"
    sleep 0.1
  done
}

# --- build -------------------------------------------------------------------

k8s_version() { awk '$1 == "k8s.io/kubernetes" { print $2 }' "$here/go.mod"; }

# build: set $bin to the cached binary for the current sources, building it
# on a cache miss. The key covers everything that changes the output.
build() {
  local version ldflags key pkg=k8s.io/component-base/version
  local goflags="-mod=readonly -buildvcs=false -trimpath"
  command -v go >/dev/null || { log "Go >= 1.25 is needed to build k8s-sim (test/cluster/README.md)"; exit 1; }
  version=$(k8s_version)
  local minor=${version#v1.}
  minor=${minor%%.*}
  ldflags="-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  key=$(cd "$here" && {
    cat go.mod go.sum
    find . -name '*.go' -print0 | LC_ALL=C sort -z | xargs -0 cat
    go version
    go env GOOS GOARCH
    printf '%s|%s' "$goflags" "$ldflags"
  } | sha256sum | cut -c1-16)
  local cache=${XDG_CACHE_HOME:-$HOME/.cache}/wavesync/k8s-sim
  bin=$cache/$key/k8s-sim
  if [ -x "$bin" ]; then
    touch "$bin" # last use, for pruning
    return
  fi
  log "building k8s-sim $version (a cold build takes 5-15 minutes) -> $bin"
  local try
  for try in 1 2 3; do
    (cd "$here" && go mod download) && break
    ((try < 3)) || { log "go mod download failed"; exit 1; }
    log "go mod download failed, retrying"
    sleep $((try * 5))
  done
  mkdir -p "${bin%/*}"
  (cd "$here" && GOFLAGS=$goflags go build -ldflags "$ldflags" -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
  # Each source change leaves a ~120 MB binary behind; drop those unused
  # for two weeks.
  find "$cache" -mindepth 2 -maxdepth 2 -name k8s-sim -mtime +14 -delete || true
  find "$cache" -mindepth 1 -maxdepth 1 -type d -empty -delete || true
}

# --- up ----------------------------------------------------------------------

api_get() { # PATH: GET from the API server as admin
  curl -sf --max-time 5 --cacert "$run/ca.crt" --cert "$run/admin.crt" --key "$run/admin.key" \
    "$api_url$1"
}
etcd_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$etcd_port/health" | grep -q '"health":"true"'; }
apiserver_ready() { api_get /readyz; }
node_ready() { api_get "/api/v1/nodes/$node_name" | tr -d ' \n' | grep -q '"type":"Ready","status":"True"'; }
default_sa_exists() { api_get /api/v1/namespaces/default/serviceaccounts/default; }

all_up() {
  local name
  for name in "${components[@]}"; do alive "$name" || return 1; done
  api_url=$(cat "$run/api-url" 2>/dev/null) && apiserver_ready >/dev/null
}

up() {
  if all_up; then
    log "already up: $api_url"
    echo "export KUBECONFIG=$kubeconfig"
    return
  fi
  stop_all # leftovers of a half-dead cluster
  build
  local began=$SECONDS
  trap on_exit EXIT
  mkdir -p "$run" "$logs" "$pids"

  local ports etcd_peer_port api_port kubelet_port
  mapfile -t ports < <("$bin" free-ports -n 4)
  etcd_port=${ports[0]} etcd_peer_port=${ports[1]} api_port=${ports[2]} kubelet_port=${ports[3]}
  api_url=https://127.0.0.1:$api_port
  echo "$api_url" >"$run/api-url"
  "$bin" pki -dir "$run" -server "$api_url" -node-name "$node_name"

  # etcd's data on tmpfs when there is one: faster, and gone at reboot.
  local etcd_data
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    etcd_data=$(mktemp -d /dev/shm/wavesync-etcd.XXXXXX)
  else
    etcd_data=$run/etcd
  fi
  echo "$etcd_data" >"$run/etcd-data-dir"

  start etcd --name=sim0 --data-dir="$etcd_data" \
    --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
    --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster="sim0=http://127.0.0.1:$etcd_peer_port" \
    --unsafe-no-fsync=true --quota-backend-bytes=536870912 --auto-compaction-retention=1 --log-level=warn
  wait_for "etcd /health" etcd 30 etcd_healthy

  start kube-apiserver --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --secure-port="$api_port" --cert-dir="$run" \
    --tls-cert-file="$run/apiserver.crt" --tls-private-key-file="$run/apiserver.key" \
    --client-ca-file="$run/ca.crt" --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-signing-key-file="$run/sa.key" --service-account-key-file="$run/sa.pub" \
    --service-cluster-ip-range=10.96.0.0/16 --endpoint-reconciler-type=none --allow-privileged=true \
    --kubelet-client-certificate="$run/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$run/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$run/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --enable-priority-and-fairness=false --profiling=false
  wait_for "kube-apiserver /readyz" kube-apiserver 60 apiserver_ready

  local kcfg=$run/admin.kubeconfig
  start kube-controller-manager --kubeconfig="$kcfg" --leader-elect=false --secure-port=0 \
    --controllers="$controllers" --root-ca-file="$run/ca.crt" \
    --service-account-private-key-file="$run/sa.key" --use-service-account-credentials=false \
    --kube-api-qps=100 --kube-api-burst=200 --profiling=false
  start kube-scheduler --kubeconfig="$kcfg" --leader-elect=false --secure-port=0 --profiling=false
  start kubelet-sim --kubeconfig="$kcfg" --node-name="$node_name" --port="$kubelet_port" \
    --tls-cert-file="$run/kubelet.crt" --tls-private-key-file="$run/kubelet.key" --client-ca-file="$run/ca.crt"
  wait_for "node $node_name Ready" kubelet-sim 30 node_ready
  wait_for "serviceaccount default/default" kube-controller-manager 30 default_sa_exists
  alive kube-scheduler || fail "kube-scheduler exited" kube-scheduler

  cp "$kcfg" "$kubeconfig.tmp" && mv "$kubeconfig.tmp" "$kubeconfig"
  trap - EXIT
  log "up in $((SECONDS - began)) s: $api_url (logs in $logs)"
  echo "export KUBECONFIG=$kubeconfig"
}

status() {
  local name rc=0
  for name in "${components[@]}"; do
    if alive "$name"; then
      printf '%-24s running (pid %s)\n' "$name" "$(pid_of "$name")"
    else
      printf '%-24s stopped\n' "$name"
      rc=1
    fi
  done
  if api_url=$(cat "$run/api-url" 2>/dev/null) && apiserver_ready >/dev/null; then
    printf '%-24s ready at %s\n' "api" "$api_url"
    printf '%-24s %s\n' "kubeconfig" "$kubeconfig"
  else
    printf '%-24s not ready\n' "api"
    rc=1
  fi
  return "$rc"
}

# One command at a time per cluster dir (e.g. parallel test workers).
exec 9>"$state/lock"
flock 9

case "${1:-}" in
up) up ;;
down) stop_all && log "down" ;;
status) status ;;
*)
  echo "usage: $0 up|down|status" >&2
  exit 2
  ;;
esac
