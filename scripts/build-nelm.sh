#!/usr/bin/env bash
# Builds nelm (github.com/werf/nelm, package cmd/nelm; v1.24.3 unless NELM_VERSION is set) from the Go module
# proxy, for the deploy oracle and bench/deploy. The result is cached at $SLIPWAY_CACHE/nelm/<version>/bin/nelm
# (SLIPWAY_CACHE defaults to ~/.cache/slipway). Idempotent; one build at a time per machine (flock); prints the
# binary's path on stdout as its last line. Progress goes to stderr.
#
# Why a wrapper module: `go install github.com/werf/nelm/cmd/nelm@v1.24.3` refuses a module whose go.mod has
# `replace` directives (nelm v1.24.3 has one: github.com/spf13/cobra => github.com/andremueller/cobra), and Go ignores
# a dependency's replaces anyway. So the build runs in a main module of our own (local/nelmbuild) that requires nelm
# at the version, copies every `replace` of nelm's go.mod (single-line and block form) and starts from nelm's go.sum,
# so the dependency graph and checksums are the ones nelm's release has. The version is stamped as nelm's Taskfile
# does: -X github.com/werf/nelm/pkg/common.Version=<version> (without it `nelm version` prints 0.0.0).
#
# What the built nelm v1.24.3 does and takes (read from its own `--help` and runs on the local cluster, 2026-12-03):
#   nelm version                        prints `full: 1.24.3`, `major: 1`, `minor: 24`, `patch: 3` (the cache check)
#   nelm release install [options...] -n NAMESPACE -r RELEASE [CHART_DIR]   (CHART_DIR defaults to the cwd)
#     - creates the release namespace itself (no --create-namespace flag), stores the release as a Helm 3 Secret
#       `sh.helm.release.v1.<release>.v<N>` and takes the lockgate lock on ConfigMap `werf-synchronization` there;
#     - tracks readiness by default; an unchanged second install is a no-op (no new revision);
#     - --timeout=0s (a Go duration such as 300s or 5m; 0 = no limit); --resource-{creation,readiness,deletion}-timeout;
#       --auto-rollback=false (off by default); --no-final-tracking=false; --no-show-progress, --no-pod-logs,
#       --progress-interval=5s; --delete-propagation=Foreground; --force-adoption; --no-remove-manual-changes;
#     - values: --values, --set, --set-string, --set-json, --set-file, --set-literal, --no-default-values;
#       secrets: --secret-key, --secret-values, --no-decrypt-secrets;
#       patches: --annotations, --labels, --runtime-annotations, --runtime-labels, --app-version;
#     - kube: --kube-config (also $KUBECONFIG), --kube-context, --kube-token, --kube-ca, ..., --kube-qps-limit=30,
#       --kube-burst-limit=100, --network-parallelism=30;
#     - --release-history-limit=10, --release-storage (default: secret), --save-report-to, --save-graph-to,
#       --use-plan; --color-mode=auto|off|on, --log-level=silent|error|warning|info|debug|trace;
#     - every flag also reads $NELM_<FLAG> and $NELM_RELEASE_INSTALL_<FLAG> (e.g. NELM_COLOR_MODE=off).
#   nelm release plan install -n NS -r NAME [CHART_DIR]   the diff only; --exit-code: 0 no changes, 2 changes, 1 error
#   nelm release uninstall -n NS -r NAME; nelm release rollback; nelm release get; nelm release list (-n NS)
#   nelm release history RELEASE -n NS (Helm's history command: the release is an argument, no -r flag)
#   nelm chart render [CHART_DIR]       renders like `helm template` (see werf-deploy.md §10 for the differences)
# Measured: a cold build (modules downloaded, no shared build cache) took 351 s on a loaded 2-core machine;
# a warm call returns the cached path in 0.3 s. Unlike build-kube.sh no GONOSUMDB is needed: every module nelm
# uses is a tagged or pseudo version the checksum database knows, and most sums come from nelm's own go.sum.
set -euo pipefail

NV=${NELM_VERSION:-1.24.3}
NV=${NV#v}
CACHE=${SLIPWAY_CACHE:-$HOME/.cache/slipway}
# -mod=mod lets the build fill the wrapper's go.mod/go.sum; -buildvcs=false: the wrapper is no VCS checkout.
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
log() { echo "[build-nelm] $*" >&2; }

ROOT="$CACHE/nelm/$NV"
BIN="$ROOT/bin/nelm"
mkdir -p "$ROOT/bin"
# Shared with scripts/build-kube.sh: the module cache and the build cache (so common dependencies such as
# k8s.io/client-go are downloaded and compiled once).
export GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gocache"

# One build at a time per machine: a second caller waits for the first and then finds the cache.
exec 9>"$CACHE/nelm/.lock"
flock 9

if [[ -x "$BIN" ]] && "$BIN" version 2>/dev/null | grep -q "$NV"; then
  log "cached: $BIN ($NV)"; echo "$BIN"; exit 0
fi

command -v go >/dev/null || { log "go is not installed (Go >= 1.24 is needed for the one-time nelm build)"; exit 1; }
command -v jq >/dev/null || { log "jq is not installed (apt-get install jq)"; exit 1; }

log "building nelm $NV into $BIN (one-time; takes about 10 minutes on 2 cores)"
W="$ROOT/wrapper"; rm -rf "$W"; mkdir -p "$W"
printf 'module local/nelmbuild\ngo 1.24\n' > "$W/go.mod"
info=$(cd "$W" && go mod download -json "github.com/werf/nelm@v$NV")
gomod=$(jq -r .GoMod <<<"$info")
dir=$(jq -r .Dir <<<"$info")
[[ -f "$gomod" && -d "$dir" ]] || { log "cannot download github.com/werf/nelm@v$NV: $(jq -r '.Error // empty' <<<"$info")"; exit 1; }

gover=$(grep -E '^go [0-9]' "$gomod" | head -1)
godebug=$(grep -E '^godebug ' "$gomod" | head -1 || true)
# Every replace of nelm's go.mod, in both forms: `replace a => b v` and a `replace ( ... )` block.
replaces=$(awk '
  /^replace[[:space:]]*\(/ { inblock = 1; next }
  inblock && /^\)/ { inblock = 0; next }
  inblock { sub(/\/\/.*/, ""); if ($0 ~ /=>/) print "replace " $0; next }
  /^replace[[:space:]]/ { sub(/\/\/.*/, ""); print }
' "$gomod" | sed -E 's/[[:space:]]+$//; s/^replace[[:space:]]+/replace /')
# A replace pointing at a local path (./x or ../x) cannot be resolved outside nelm's own tree.
if grep -qE '=>[[:space:]]*\.' <<<"$replaces"; then
  log "nelm $NV has a local-path replace, which a wrapper module cannot follow:"; grep -E '=>[[:space:]]*\.' <<<"$replaces" >&2; exit 1
fi
{
  echo "module local/nelmbuild"; echo; echo "$gover"; [[ -n "$godebug" ]] && echo "$godebug"; echo
  echo "require github.com/werf/nelm v$NV"; echo
  if [[ -n "$replaces" ]]; then echo "$replaces"; fi
} > "$W/go.mod"
log "wrapper go.mod: $(grep -c '^replace' "$W/go.mod" || true) replace(s) copied from nelm's go.mod"
# nelm's own checksums, so the same module versions verify without asking the checksum database for each.
cp "$dir/go.sum" "$W/go.sum"; chmod u+w "$W/go.sum"
cat > "$W/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/werf/nelm/cmd/nelm"
GO

start=$(date +%s)
LD="-s -w -X github.com/werf/nelm/pkg/common.Brand=Nelm -X github.com/werf/nelm/pkg/common.Version=$NV"
(cd "$W" && go build -trimpath -ldflags "$LD" -o "$BIN.tmp" github.com/werf/nelm/cmd/nelm)
mv "$BIN.tmp" "$BIN"
log "built nelm $NV in $(( $(date +%s) - start ))s"
"$BIN" version >&2
echo "$BIN"
