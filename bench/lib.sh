# Sourced by bench/compare.sh, bench/realtime.sh and bench/profile.sh: the processes they start, the mock
# upstream, a Tollgate gateway in front of it (every stage on, the bench plan), and a tenant key from its admin
# API. Everything listens on 127.0.0.1; every process started through here is stopped on exit.
#
# After `bench_init NAME`: $here (bench/), $root (the checkout), $bench (bench/bench), $work (a temp dir,
# removed on exit). Reads MOCK_PORT, GATEWAY_PORT, ADMIN_PORT, GATEWAY_IO_THREADS [1], DURABLE_ANSWERS
# [true], GATEWAY_PLAN [bench], PROXY_CORE_JAR [empty; a jar = the gateway runs with this proxy-core build,
# started with java as ./tollgate starts it], GATEWAY_LOG [empty; a file = the gateway's log is copied there
# on exit], UPSTREAM_HTTP2 [false; true = the openai provider (the mock) is reached over h2c].

bench_init() {
  BENCH_NAME="$1"
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  root="$(cd "$here/.." && pwd)"
  bench="$here/bench"
  work="$(mktemp -d -t "tollgate-$BENCH_NAME.XXXXXX")"
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  if [[ ! -f "$root/bench/target/classpath.txt" ]]; then
    (cd "$root" && mvn -q -o -DskipTests package -pl bench -am) >&2
  fi
}

bench_cleanup() {
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

log() { echo "$BENCH_NAME.sh: $*" >&2; }

# wait_for_port PORT SECONDS: true once something accepts connections on 127.0.0.1:PORT
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

# start_mock [mock options...]: the mock upstream on MOCK_PORT; sets mock_pid
start_mock() {
  "$bench" mock --port "$MOCK_PORT" "$@" >"$work/mock.log" 2>&1 &
  mock_pid=$!
  pids+=("$mock_pid")
  wait_for_port "$MOCK_PORT" 30 || { log "mock did not start"; cat "$work/mock.log" >&2; return 1; }
}

# start_gateway [NAME]: Tollgate on GATEWAY_PORT (admin on ADMIN_PORT) in front of the mock, its config,
# data and log under $work/NAME [gateway]; sets gateway_pid and (once) TOLLGATE_ADMIN_TOKEN. False (after
# logging why) when it cannot start.
start_gateway() {
  local name="${1:-gateway}"
  [[ -x "$root/tollgate" ]] || { log "no $root/tollgate"; return 1; }
  export TOLLGATE_ADMIN_TOKEN="${TOLLGATE_ADMIN_TOKEN:-bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
  export TOLLGATE_DATA_DIR="$work/$name-data"
  export OPENAI_API_KEY="sk-mock" ANTHROPIC_API_KEY="sk-ant-mock"
  # only when asked for: a baseline build from before the key existed refuses it
  local http2_line=""
  [[ "${UPSTREAM_HTTP2:-false}" == true ]] && http2_line="    http2: true"
  local transport_line=""
  [[ -n "${GATEWAY_TRANSPORT:-}" ]] && transport_line="  transport: $GATEWAY_TRANSPORT"
  cat >"$work/$name.yaml" <<GATEWAY_YAML
server:
  host: 127.0.0.1
  port: $GATEWAY_PORT
  ioThreads: ${GATEWAY_IO_THREADS:-1}
$transport_line
admin:
  host: 127.0.0.1
  port: $ADMIN_PORT
  token: \${TOLLGATE_ADMIN_TOKEN}
store:
  type: embedded
  dataDir: $work/$name-data
plans:
  catalogueFile: $here/bench-catalogue.yaml
metering:
  durableAnswers: ${DURABLE_ANSWERS:-true}
providers:
  openai:
    baseUrl: http://127.0.0.1:$MOCK_PORT
    auth: bearer
    apiKey: \${OPENAI_API_KEY}
    dialect: openai
$http2_line
  anthropic:
    baseUrl: http://127.0.0.1:$MOCK_PORT
    auth: x-api-key
    apiKey: \${ANTHROPIC_API_KEY}
    dialect: anthropic
GATEWAY_YAML
  if [[ -n "${PROXY_CORE_JAR:-}" ]]; then
    [[ -f "$PROXY_CORE_JAR" && -f "$root/proxy-server/target/classpath.txt" ]] \
      || { log "PROXY_CORE_JAR: $PROXY_CORE_JAR (expected: a jar, and a built proxy-server)"; return 1; }
    java -Dio.netty.leakDetection.level=disabled ${TOLLGATE_JAVA_OPTS:-} \
      -cp "$root/proxy-server/target/classes:$PROXY_CORE_JAR:$(cat "$root/proxy-server/target/classpath.txt")" \
      dev.tollgate.server.bootstrap.Main --config "$work/$name.yaml" >"$work/$name.log" 2>&1 &
  else
    (cd "$root" && exec ./tollgate --config "$work/$name.yaml") >"$work/$name.log" 2>&1 &
  fi
  gateway_pid=$!
  pids+=("$gateway_pid")
  if ! wait_for_port "$GATEWAY_PORT" 60 || ! wait_for_port "$ADMIN_PORT" 10; then
    log "$name did not start (see below)"
    tail -20 "$work/$name.log" >&2
    return 1
  fi
}

# stop_gateway: stops the gateway started last (gateway_pid) and waits until it has exited
stop_gateway() {
  kill "$gateway_pid" 2>/dev/null || true
  wait "$gateway_pid" 2>/dev/null || true
}

# issue_bench_key: creates tenant "bench" on GATEWAY_PLAN [bench] through the admin API and prints its new key
issue_bench_key() {
  local admin="http://127.0.0.1:$ADMIN_PORT" auth="Authorization: Bearer $TOLLGATE_ADMIN_TOKEN" response key
  curl -fsS -X POST "$admin/admin/tenants" -H "$auth" -H 'content-type: application/json' \
    -d "{\"id\":\"bench\",\"name\":\"Bench\",\"plan\":\"${GATEWAY_PLAN:-bench}\"}" >/dev/null \
    || { log "admin: creating the tenant failed"; return 1; }
  response="$(curl -fsS -X POST "$admin/admin/tenants/bench/keys" -H "$auth" -H 'content-type: application/json' \
    -d '{"project":"default","name":"bench"}')" || { log "admin: issuing a key failed"; return 1; }
  key="$(sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p' <<<"$response")"
  [[ -n "$key" ]] || { log "admin: no key in the answer"; return 1; }
  echo "$key"
}
