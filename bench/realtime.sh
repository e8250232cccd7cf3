#!/usr/bin/env bash
# Measures the realtime WebSocket relay: `bench realtime` against the mock upstream's /v1/realtime directly,
# then through the Tollgate gateway in front of the same mock (started as bench/compare.sh starts it, with a
# tenant on the bench plan and a key from the admin API). One run per target, the same command each time.
# Everything listens on 127.0.0.1; every process started here is stopped on exit.
#
# Environment (defaults in brackets): DURATION [5s], WARMUP [1s], SESSIONS [16], IN_FLIGHT [4],
# FRAME_BYTES [64], MODEL [gpt-4o-realtime-preview], MOCK_PORT [18181], GATEWAY_PORT [18180], ADMIN_PORT [18190],
# GATEWAY_IO_THREADS [1], GATEWAY_PLAN [bench], TARGETS [direct tollgate], KEEP [empty; 1 = leave mock and
# gateway running after the runs, until Enter, e.g. to attach a profiler: their pids are printed],
# GATEWAY_LOG [empty; a file = the gateway's log is copied there on exit], PROXY_CORE_JAR [empty; a jar = the
# gateway runs with this proxy-core build ahead of the installed one (~/.m2 is shared by every worktree, so
# comparing builds needs their own jars), started with java as ./tollgate starts it, without its build check].
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bench="$here/bench"
DURATION="${DURATION:-5s}"
WARMUP="${WARMUP:-1s}"
SESSIONS="${SESSIONS:-16}"
IN_FLIGHT="${IN_FLIGHT:-4}"
FRAME_BYTES="${FRAME_BYTES:-64}"
MODEL="${MODEL:-gpt-4o-realtime-preview}"
MOCK_PORT="${MOCK_PORT:-18181}"
GATEWAY_PORT="${GATEWAY_PORT:-18180}"
ADMIN_PORT="${ADMIN_PORT:-18190}"
GATEWAY_IO_THREADS="${GATEWAY_IO_THREADS:-1}"
GATEWAY_PLAN="${GATEWAY_PLAN:-bench}"
TARGETS="${TARGETS:-direct tollgate}"

# shellcheck source=lib.sh
source "$here/lib.sh"
bench_init realtime   # the bench classes, a work directory, and every process started stopped on exit

# 1. the mock upstream: its /v1/realtime echoes each text frame as a response.output_text.delta event
start_mock || exit 1

# 2. the gateway in front of the mock, a tenant on the bench plan, and its key
start_gateway || exit 1
key="$(issue_bench_key)" || exit 1

# 3. the same load against each target (the key goes to both; the mock ignores it)
load=(--sessions "$SESSIONS" --in-flight "$IN_FLIGHT" --frame-bytes "$FRAME_BYTES" --duration "$DURATION"
  --warmup "$WARMUP" --header "Authorization: Bearer $key")
for target in $TARGETS; do
  case "$target" in
    direct) url="ws://127.0.0.1:$MOCK_PORT/v1/realtime?model=$MODEL" ;;
    tollgate) url="ws://127.0.0.1:$GATEWAY_PORT/v1/realtime?model=$MODEL" ;;
    *) log "target: $target (expected: direct, tollgate)"; exit 2 ;;
  esac
  echo "== $target (mock pid $mock_pid, gateway pid $gateway_pid)"
  "$bench" realtime --url "$url" "${load[@]}"
done
if [[ -n "${KEEP:-}" ]]; then
  log "mock pid $mock_pid, gateway pid $gateway_pid, key in $work/key; Enter stops them"
  echo "$key" >"$work/key"
  read -r _
fi
