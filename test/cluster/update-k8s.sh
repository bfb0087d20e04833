#!/usr/bin/env bash
# Move the test control plane to another Kubernetes release:
#
#   test/cluster/update-k8s.sh 1.34.13
#
# k8s.io/kubernetes requires its ~30 staging modules (k8s.io/api, client-go,
# ...) at v0.0.0 and replaces them with ./staging paths that consumers lack,
# so we replace each with the matching v0.<minor>.<patch> tag, taking the
# list from upstream's own go.mod. etcd goes to the version k8s.io/apiserver
# pins. Needs jq. Review the go.mod/go.sum diff, then run cluster.sh up.
set -euo pipefail

version=${1:?usage: update-k8s.sh <kubernetes version, e.g. 1.34.12>}
version=${version#v}
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
# The checksum database may not know a fresh k8s.io/kubernetes tag yet;
# go.sum still pins what we fetch.
export GONOSUMDB=${GONOSUMDB:-k8s.io/kubernetes}

mod_file() { # MODULE@VERSION: path of its go.mod in the module cache
  local path
  path=$(go mod download -json "$1" | jq -r '.GoMod // empty')
  [ -n "$path" ] || { go mod download "$1"; exit 1; }
  echo "$path"
}

upstream=$(mod_file "k8s.io/kubernetes@v$version")
edits=()
for m in $(go mod edit -json "$upstream" |
  jq -r '.Replace[] | select(.New.Path | startswith("./staging/")) | .Old.Path'); do
  edits+=("-replace=$m=$m@v0.${version#1.}")
done
go mod edit "${edits[@]}"

apiserver=$(mod_file "k8s.io/apiserver@v0.${version#1.}")
etcd=$(go mod edit -json "$apiserver" |
  jq -r '.Require[] | select(.Path == "go.etcd.io/etcd/server/v3") | .Version')

go get "k8s.io/kubernetes@v$version" "go.etcd.io/etcd/server/v3@$etcd"
go mod tidy
echo "now on Kubernetes v$version, etcd $etcd"
