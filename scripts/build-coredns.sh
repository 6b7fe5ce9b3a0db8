#!/usr/bin/env bash
# Builds CoreDNS (the local environment's cluster DNS) from its Go module, github.com/coredns/coredns, which has no
# replace directives, so `go install` works. Cached under $SLIPWAY_CACHE/coredns/<version>/bin; a rebuild is skipped
# when the binary is there and reports the version. Prints the bin directory on stdout as its last line.
set -euo pipefail

CACHE=${SLIPWAY_CACHE:-$HOME/.cache/slipway}
V=${COREDNS_VERSION:-v1.15.0}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gocache"
export GONOSUMDB=${GONOSUMDB:-k8s.io,sigs.k8s.io,go.etcd.io}
log() { echo "[build-coredns] $*" >&2; }

BIN="$CACHE/coredns/$V/bin"
mkdir -p "$CACHE/coredns"
# One build at a time per machine: a second caller waits for the first and then finds the cache.
exec 9>"$CACHE/coredns/.lock"
flock 9
# Read the whole output first: `grep -q` would stop reading early and pipefail would see a broken pipe.
if [[ -x $BIN/coredns ]] && [[ $("$BIN/coredns" -version 2>/dev/null || true) == *"CoreDNS-${V#v}"* ]]; then
  log "cached: $BIN ($V)"; echo "$BIN"; exit 0
fi
log "building CoreDNS $V into $BIN (one-time; takes a few minutes)"
tmp=$(mktemp -d "$CACHE/coredns/build.XXXXXX")
start=$(date +%s)
GOBIN="$tmp" go install -trimpath -ldflags '-s -w' "github.com/coredns/coredns@$V"
mkdir -p "$BIN"; mv -f "$tmp/coredns" "$BIN/coredns"; rm -rf "$tmp"
log "built $V in $(( $(date +%s) - start ))s"
echo "$BIN"
