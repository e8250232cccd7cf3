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

work="$(mktemp -d -t tollgate-realtime.XXXXXX)"
pids=()

cleanup() {
  local pid
  [[ -n "${GATEWAY_LOG:-}" && -f "$work/gateway.log" ]] && cp "$work/gateway.log" "$GATEWAY_LOG"
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "realtime.sh: $*" >&2; }

wait_for_port() {
  local port="$1" deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

# 1. the bench classes
if [[ ! -f "$root/bench/target/classpath.txt" ]]; then
  (cd "$root" && mvn -q -o -DskipTests package -pl bench -am) >&2
fi

# 2. the mock upstream: its /v1/realtime echoes each text frame as a response.output_text.delta event
"$bench" mock --port "$MOCK_PORT" >"$work/mock.log" 2>&1 &
mock_pid=$!
pids+=("$mock_pid")
wait_for_port "$MOCK_PORT" 30 || { log "mock did not start"; cat "$work/mock.log" >&2; exit 1; }

# 3. the gateway in front of the mock, a tenant on the bench plan, and its key
[[ -x "$root/tollgate" ]] || { log "no $root/tollgate"; exit 1; }
export TOLLGATE_ADMIN_TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export TOLLGATE_DATA_DIR="$work/gateway-data"
export OPENAI_API_KEY="sk-mock" ANTHROPIC_API_KEY="sk-ant-mock"
cat >"$work/gateway.yaml" <<GATEWAY_YAML
server:
  host: 127.0.0.1
  port: $GATEWAY_PORT
  ioThreads: $GATEWAY_IO_THREADS
admin:
  host: 127.0.0.1
  port: $ADMIN_PORT
  token: \${TOLLGATE_ADMIN_TOKEN}
store:
  type: embedded
  dataDir: $work/gateway-data
plans:
  catalogueFile: $here/bench-catalogue.yaml
providers:
  openai:
    baseUrl: http://127.0.0.1:$MOCK_PORT
    auth: bearer
    apiKey: \${OPENAI_API_KEY}
    dialect: openai
  anthropic:
    baseUrl: http://127.0.0.1:$MOCK_PORT
    auth: x-api-key
    apiKey: \${ANTHROPIC_API_KEY}
    dialect: anthropic
GATEWAY_YAML
if [[ -n "${PROXY_CORE_JAR:-}" ]]; then
  [[ -f "$PROXY_CORE_JAR" && -f "$root/proxy-server/target/classpath.txt" ]] \
    || { log "PROXY_CORE_JAR: $PROXY_CORE_JAR (expected: a jar, and a built proxy-server)"; exit 2; }
  java -Dio.netty.leakDetection.level=disabled ${TOLLGATE_JAVA_OPTS:-} \
    -cp "$root/proxy-server/target/classes:$PROXY_CORE_JAR:$(cat "$root/proxy-server/target/classpath.txt")" \
    dev.tollgate.server.bootstrap.Main --config "$work/gateway.yaml" >"$work/gateway.log" 2>&1 &
else
  (cd "$root" && exec ./tollgate --config "$work/gateway.yaml") >"$work/gateway.log" 2>&1 &
fi
gateway_pid=$!
pids+=("$gateway_pid")
if ! wait_for_port "$GATEWAY_PORT" 60 || ! wait_for_port "$ADMIN_PORT" 10; then
  log "gateway did not start:"
  tail -20 "$work/gateway.log" >&2
  exit 1
fi
admin="http://127.0.0.1:$ADMIN_PORT"
auth="Authorization: Bearer $TOLLGATE_ADMIN_TOKEN"
curl -fsS -X POST "$admin/admin/tenants" -H "$auth" -H 'content-type: application/json' \
  -d "{\"id\":\"bench\",\"name\":\"Bench\",\"plan\":\"$GATEWAY_PLAN\"}" >/dev/null \
  || { log "admin: creating the tenant failed"; exit 1; }
response="$(curl -fsS -X POST "$admin/admin/tenants/bench/keys" -H "$auth" -H 'content-type: application/json' \
  -d '{"project":"default","name":"bench"}')" || { log "admin: issuing a key failed"; exit 1; }
key="$(sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p' <<<"$response")"
[[ -n "$key" ]] || { log "admin: no key in the answer"; exit 1; }

# 4. the same load against each target (the key goes to both; the mock ignores it)
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
