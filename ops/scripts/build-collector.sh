#!/usr/bin/env bash
# Builds the ops binaries into a cache OUTSIDE the clone, so a fresh clone on the same machine reuses them:
#   collector  ops/otel-collector/builder-config.yaml -> $CACHE/otelcol-<sha256(manifest)[0:12]>/otelcol-osb
#   promtool   github.com/prometheus/prometheus v0.316.0 cmd/promtool -> $CACHE/promtool-v0.316.0/promtool
#   jaeger     github.com/jaegertracing/jaeger v1.76.0 cmd/jaeger (Jaeger v2) -> $CACHE/jaeger-v1.76.0/jaeger
# CACHE = ${XDG_CACHE_HOME:-$HOME/.cache}/otel-sentry-bridge
#
# Usage: ops/scripts/build-collector.sh [collector|promtool|jaeger|all|path-collector|path-promtool|path-jaeger]
#   (default: collector). The last line printed on success is the binary's path. A binary already in the
#   cache is reused and nothing is built. Builds run under `nice` and a lock (one build of a kind at a time).
# Needs the Go toolchain (go >= 1.24) and the Go module proxy; fails with a clear message otherwise.
set -euo pipefail

OPS="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MANIFEST="$OPS/otel-collector/builder-config.yaml"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/otel-sentry-bridge"
COLLECTOR_RELEASE="v0.161.0"
PROMETHEUS_VERSION="v0.316.0"
JAEGER_VERSION="v1.76.0"

manifest_hash() { sha256sum "$MANIFEST" | cut -c1-12; }
collector_dir() { echo "$CACHE/otelcol-$(manifest_hash)"; }
collector_bin() { echo "$(collector_dir)/otelcol-osb"; }
promtool_bin() { echo "$CACHE/promtool-$PROMETHEUS_VERSION/promtool"; }
jaeger_bin() { echo "$CACHE/jaeger-$JAEGER_VERSION/jaeger"; }

need_go() {
  # The official tarball's place, for environments whose PATH lacks it.
  if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then export PATH="$PATH:/usr/local/go/bin"; fi
  if ! command -v go >/dev/null 2>&1; then
    echo "build-collector: the Go toolchain ('go') is not on PATH. The ops tests build the OpenTelemetry" >&2
    echo "Collector, promtool and Jaeger from the Go module proxy and cannot run without it." >&2
    echo "Install Go >= 1.24 (https://go.dev/doc/install, or the golang-go Debian package) and retry." >&2
    exit 3
  fi
}

# run_locked NAME CMD...: one build of NAME at a time across processes.
run_locked() {
  local name="$1"; shift
  mkdir -p "$CACHE"
  exec {lockfd}>"$CACHE/.$name.lock"
  flock "$lockfd"
  "$@"
  flock -u "$lockfd"
}

record() { # record DIR BIN SECONDS WHAT
  local size
  size=$(stat -c %s "$2")
  printf 'what: %s\nbuilt: %s\nbuild_seconds: %s\nbinary_bytes: %s\ngo: %s\nnproc: %s\n' \
    "$4" "$(date -u +%FT%TZ)" "$3" "$size" "$(go env GOVERSION)" "$(nproc)" >"$1/build-info.txt"
  echo "build-collector: $4 built in ${3}s, $(( size / 1024 / 1024 )) MiB -> $2" >&2
}

build_collector_locked() {
  local dir bin tmp start builder
  dir="$(collector_dir)"; bin="$(collector_bin)"
  [[ -x "$bin" ]] && return 0
  start=$(date +%s)
  builder="$CACHE/tools/builder-$COLLECTOR_RELEASE/builder"
  if [[ ! -x "$builder" ]]; then
    echo "build-collector: installing go.opentelemetry.io/collector/cmd/builder@$COLLECTOR_RELEASE" >&2
    GOBIN="$(dirname "$builder")" nice -n 10 go install "go.opentelemetry.io/collector/cmd/builder@$COLLECTOR_RELEASE"
  fi
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # Same manifest, output redirected into the cache (the hash is taken from the file in the repository).
  sed -E "s#^([[:space:]]*output_path:).*#\\1 $tmp/src#" "$MANIFEST" >"$tmp/builder-config.yaml"
  echo "build-collector: building the Collector from $MANIFEST (this takes many minutes on 2 cores)" >&2
  nice -n 10 "$builder" --config "$tmp/builder-config.yaml"
  mv "$tmp/src/otelcol-osb" "$tmp/otelcol-osb"
  rm -rf "$tmp/src"
  record "$tmp" "$tmp/otelcol-osb" $(( $(date +%s) - start )) "otelcol-osb ($COLLECTOR_RELEASE, manifest $(manifest_hash))"
  rm -rf "$dir"; mv "$tmp" "$dir"
}

build_promtool_locked() {
  local bin start
  bin="$(promtool_bin)"
  [[ -x "$bin" ]] && return 0
  start=$(date +%s)
  mkdir -p "$(dirname "$bin")"
  echo "build-collector: building promtool $PROMETHEUS_VERSION" >&2
  GOBIN="$(dirname "$bin").tmp" nice -n 10 go install -trimpath -ldflags "-s -w" \
    "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
  mv "$(dirname "$bin").tmp/promtool" "$bin"; rmdir "$(dirname "$bin").tmp"
  record "$(dirname "$bin")" "$bin" $(( $(date +%s) - start )) "promtool $PROMETHEUS_VERSION"
}

build_jaeger_locked() {
  local bin start src
  bin="$(jaeger_bin)"
  [[ -x "$bin" ]] && return 0
  start=$(date +%s)
  mkdir -p "$(dirname "$bin")"
  # Jaeger's go.mod has replace directives, so `go install module@version` refuses it: build inside the
  # downloaded (read-only) module, which is then the main module and honours its go.mod/go.sum.
  echo "build-collector: building Jaeger v2 (cmd/jaeger) $JAEGER_VERSION" >&2
  src="$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" | sed -nE 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p')"
  (cd "$src" && GOFLAGS="-mod=readonly -buildvcs=false" nice -n 10 go build -trimpath -ldflags "-s -w" -o "$bin.tmp" ./cmd/jaeger)
  mv "$bin.tmp" "$bin"
  record "$(dirname "$bin")" "$bin" $(( $(date +%s) - start )) "jaeger $JAEGER_VERSION"
}

what="${1:-collector}"
case "$what" in
  path-collector) collector_bin; exit 0 ;;
  path-promtool) promtool_bin; exit 0 ;;
  path-jaeger) jaeger_bin; exit 0 ;;
esac
need_go
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
case "$what" in
  collector) run_locked collector build_collector_locked; collector_bin ;;
  promtool) run_locked promtool build_promtool_locked; promtool_bin ;;
  jaeger) run_locked jaeger build_jaeger_locked; jaeger_bin ;;
  all)
    run_locked collector build_collector_locked
    run_locked promtool build_promtool_locked
    run_locked jaeger build_jaeger_locked
    collector_bin; promtool_bin; jaeger_bin ;;
  *) echo "usage: $0 [collector|promtool|jaeger|all|path-collector|path-promtool|path-jaeger]" >&2; exit 2 ;;
esac
