#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl and kube-proxy from the
# k8s.io/kubernetes Go module (latest v1.34.x patch unless K8S_VERSION is set), through a wrapper
# module with one replace per staging module. The result is cached under $SLIPWAY_CACHE/kube/<version>/bin.
# Prints the bin directory on stdout as its last line.
set -euo pipefail

CACHE=${SLIPWAY_CACHE:-$HOME/.cache/slipway}
MINOR_LINE=${K8S_MINOR:-1.34}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
# The module proxy reachable here does not serve checksum-database entries for the staging modules.
export GONOSUMDB=${GONOSUMDB:-k8s.io,sigs.k8s.io,go.etcd.io}
log() { echo "[build-kube] $*" >&2; }

resolve_version() {
  if [[ -n "${K8S_VERSION:-}" ]]; then echo "$K8S_VERSION"; return; fi
  local pinned="$CACHE/kube/latest-$MINOR_LINE"
  # A resolved version is reused for a day so warm runs do not ask the proxy.
  if [[ -f "$pinned" && -n "$(find "$pinned" -mmin -1440 2>/dev/null)" ]]; then cat "$pinned"; return; fi
  local probe; probe=$(mktemp -d)
  printf 'module local/probe\ngo 1.24\n' > "$probe/go.mod"
  local listed best patch
  listed=$(cd "$probe" && go list -m -versions k8s.io/kubernetes 2>/dev/null | tr ' ' '\n' | grep -E "^v${MINOR_LINE//./\\.}\.[0-9]+$" || true)
  best=$(echo "$listed" | sed 's/.*\.//' | sort -n | tail -1)
  best=${best:-0}
  # The proxy's version list can lag behind and has holes; probe a window of newer patches.
  patch=$best
  local p
  for p in $(seq $((best + 1)) $((best + 16))); do
    if (cd "$probe" && go list -m "k8s.io/kubernetes@v${MINOR_LINE}.$p" >/dev/null 2>&1 \
        && go list -m "k8s.io/api@v0.${MINOR_LINE#*.}.$p" >/dev/null 2>&1); then patch=$p; fi
  done
  rm -rf "$probe"
  if ! (( patch > 0 )) && [[ -z "$listed" ]]; then
    if [[ -f "$pinned" ]]; then cat "$pinned"; return; fi
    log "cannot resolve a v${MINOR_LINE}.x version from the Go module proxy"; exit 1
  fi
  mkdir -p "$CACHE/kube"; echo "v${MINOR_LINE}.$patch" > "$pinned"
  echo "v${MINOR_LINE}.$patch"
}

mkdir -p "$CACHE/kube"
# One build at a time per machine: a second caller waits for the first and then finds the cache.
exec 9>"$CACHE/kube/.lock"
flock 9
KV=$(resolve_version)
ROOT="$CACHE/kube/$KV"
BIN="$ROOT/bin"
export GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gocache"

want=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl kube-proxy)
# Only the binaries that are missing are built: a cache from before kube-proxy joined the list gains just that one.
missing=()
if "$BIN/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes $KV"; then
  for b in "${want[@]}"; do [[ -x "$BIN/$b" ]] || missing+=("$b"); done
else
  missing=("${want[@]}")
fi
if ((${#missing[@]} == 0)); then
  log "cached: $BIN ($KV)"; echo "$BIN"; exit 0
fi

log "building Kubernetes $KV (${missing[*]}) into $BIN (one-time; takes a while)"
W="$ROOT/wrapper"; mkdir -p "$W" "$BIN"
gomod=$(cd "$W" && printf 'module local/kubebuild\ngo 1.24\n' > go.mod && go mod download -json "k8s.io/kubernetes@$KV" | jq -r .GoMod)
gover=$(grep -E '^go [0-9]' "$gomod" | head -1)
godebug=$(grep -E '^godebug ' "$gomod" | head -1 || true)
minor=$(echo "$KV" | cut -d. -f2); patch=$(echo "$KV" | cut -d. -f3)
{
  echo "module local/kubebuild"; echo; echo "$gover"; [[ -n "$godebug" ]] && echo "$godebug"; echo
  echo "require k8s.io/kubernetes $KV"; echo
  grep -E '^[[:space:]]+k8s\.io/[a-z0-9-]+ v0\.0\.0$' "$gomod" | awk -v v="v0.$minor.$patch" '{print "replace " $1 " => " $1 " " v}'
} > "$W/go.mod"
cat > "$W/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
)
GO
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LD="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LD+=" -X $pkg.gitVersion=$KV -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
done
start=$(date +%s)
# Into a temporary directory first, so a concurrent reader never sees a half-written binary.
tmp=$(mktemp -d "$ROOT/build.XXXXXX")
(cd "$W" && go build -trimpath -ldflags "$LD" -o "$tmp/" "${missing[@]/#/k8s.io/kubernetes/cmd/}")
for b in "${missing[@]}"; do mv -f "$tmp/$b" "$BIN/$b"; done
rm -rf "$tmp"
log "built $KV in $(( $(date +%s) - start ))s"
"$BIN/kube-apiserver" --version >&2
echo "$BIN"
