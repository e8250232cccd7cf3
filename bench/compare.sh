#!/usr/bin/env bash
# Compares direct calls to the mock upstream, nginx proxy_pass to the mock, and (when ../tollgate exists and
# starts) the Tollgate gateway in front of the mock: JSON then SSE, interleaved rounds, one report each.
# Everything listens on 127.0.0.1; every process started here is stopped on exit.
#
# Environment (defaults in brackets): DURATION [5s] per round, ROUNDS [3], WARMUP [1s], CONNECTIONS [16],
# RATE [empty = closed loop; a number = open loop at that many req/s], CHUNKS [16] per SSE stream,
# OUT [bench/results], NGINX_WORKERS [1], MOCK_PORT [18181], NGINX_PORT [18182], GATEWAY_PORT [18180],
# ADMIN_PORT [18190], GATEWAY_IO_THREADS [= NGINX_WORKERS: the same parallelism for both proxies], DURABLE_ANSWERS [true] (false: the last byte does not wait for the usage journal), GATEWAY_PLAN [bench] (from bench/bench-catalogue.yaml: every stage on, limits out of reach),
# BASELINE_JAR [empty; a proxy-core jar = a second gateway on that build joins as target "baseline", on
# GATEWAY_PORT + 5 and ADMIN_PORT + 5, so a change is measured against its baseline in the same rounds],
# BASELINE_JAVA_OPTS [= TOLLGATE_JAVA_OPTS; JVM options for the baseline gateway alone: the current jar as
# BASELINE_JAR and different options compare JVM flags], UPSTREAM_HTTP2 [false; true = Tollgate reaches the
# mock over h2c, one HTTP/2 connection per event loop], BASELINE_UPSTREAM_HTTP2 [= UPSTREAM_HTTP2; the same
# for the baseline gateway alone], GATEWAY_TRANSPORT [empty = the config default (auto); epoll, io_uring or
# nio], BASELINE_TRANSPORT [= GATEWAY_TRANSPORT; the same for the baseline gateway alone], WORKLOADS [json
# sse; either alone runs just that one], BODY_FILE [empty = a one-line chat; a file = the body of every
# request, sent as it is: with WORKLOADS=json, a chat request without "stream" (a real conversation's size
# shows what the route stage's reading of bodies costs)].
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bench="$here/bench"
DURATION="${DURATION:-5s}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-1s}"
CONNECTIONS="${CONNECTIONS:-16}"
RATE="${RATE:-}"
CHUNKS="${CHUNKS:-16}"
WORKLOADS="${WORKLOADS:-json sse}"
OUT="${OUT:-$here/results}"
NGINX_WORKERS="${NGINX_WORKERS:-1}"
GATEWAY_IO_THREADS="${GATEWAY_IO_THREADS:-$NGINX_WORKERS}"
MOCK_PORT="${MOCK_PORT:-18181}"
NGINX_PORT="${NGINX_PORT:-18182}"
GATEWAY_PORT="${GATEWAY_PORT:-18180}"
ADMIN_PORT="${ADMIN_PORT:-18190}"
GATEWAY_PLAN="${GATEWAY_PLAN:-bench}"
BASELINE_JAR="${BASELINE_JAR:-}"

# shellcheck source=lib.sh
source "$here/lib.sh"
bench_init compare   # the bench classes, a work directory, and every process started stopped on exit

# 1. nginx from Debian's packages
if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  log "installing nginx"
  sudo_cmd=""
  [[ "$(id -u)" != 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y nginx >&2 || { $sudo_cmd apt-get update >&2 && $sudo_cmd apt-get install -y nginx >&2; }
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

# 2. the mock upstream (its CPU is what the "direct" row reports)
start_mock --chunks "$CHUNKS" || exit 1

# 3. nginx: proxy_pass to the mock over a keep-alive upstream, no buffering (SSE flows through)
mkdir -p "$work/nginx/logs"
user_line=""
[[ "$(id -u)" == 0 ]] && user_line="user root;"
cat >"$work/nginx/nginx.conf" <<NGINX_CONF
$user_line
worker_processes $NGINX_WORKERS;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  upstream mock {
    server 127.0.0.1:$MOCK_PORT;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
NGINX_CONF
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx/logs/stdout.log" 2>&1 &
nginx_pid=$!
pids+=("$nginx_pid")
wait_for_port "$NGINX_PORT" 10 || { log "nginx did not start"; cat "$work/nginx/logs/"*.log >&2; exit 1; }
sleep 0.3
nginx_worker="$(pgrep -P "$nginx_pid" | head -1 || true)"

targets=(--target "direct=http://127.0.0.1:$MOCK_PORT,pid=$mock_pid"
  --target "nginx=http://127.0.0.1:$NGINX_PORT,pid=${nginx_worker:-$nginx_pid}")
headers=()

# ---------------------------------------------------------------------------------------------------------
# 4. GATEWAY BLOCK: Tollgate in front of the mock. Skipped (direct vs nginx only) when ../tollgate is
#    missing, does not start, or its admin API does not hand out a key.
# ---------------------------------------------------------------------------------------------------------
add_gateway() {
  start_gateway || return 1
  local key
  key="$(issue_bench_key)" || return 1
  # the key goes to every target; the mock and nginx ignore it
  headers=(--header "Authorization: Bearer $key")
  if [[ -n "$BASELINE_JAR" ]]; then
    # a second gateway, on the given proxy-core build, that knows the same tenant and key: the first
    # one's store (stopped, so its files are whole) is copied for it, then the first one starts again
    stop_gateway
    cp -r "$work/gateway-data" "$work/baseline-data"
    local port="$GATEWAY_PORT" admin="$ADMIN_PORT"
    TOLLGATE_JAVA_OPTS="${BASELINE_JAVA_OPTS-${TOLLGATE_JAVA_OPTS:-}}" GATEWAY_PORT=$((port + 5)) \
      ADMIN_PORT=$((admin + 5)) PROXY_CORE_JAR="$BASELINE_JAR" \
      UPSTREAM_HTTP2="${BASELINE_UPSTREAM_HTTP2-${UPSTREAM_HTTP2:-false}}" \
      GATEWAY_TRANSPORT="${BASELINE_TRANSPORT-${GATEWAY_TRANSPORT:-}}" start_gateway baseline || return 1
    targets+=(--target "baseline=http://127.0.0.1:$((port + 5)),pid=$gateway_pid")
    start_gateway || return 1
  fi
  targets+=(--target "tollgate=http://127.0.0.1:$GATEWAY_PORT,pid=$gateway_pid")
}
add_gateway || log "comparing direct vs nginx only"
# ------------------------------------------------ end of gateway block ------------------------------------

# 5. the same workloads against every target, interleaved
load=(--duration "$DURATION" --warmup "$WARMUP" --rounds "$ROUNDS" --connections "$CONNECTIONS" --out "$OUT")
[[ -n "$RATE" ]] && load+=(--rate "$RATE")
[[ -n "${BODY_FILE:-}" ]] && load+=(--body-file "$BODY_FILE")
mkdir -p "$OUT"
if [[ " $WORKLOADS " == *" json "* ]]; then
  log "JSON: POST /v1/chat/completions"
  json_report="$("$bench" compare "${targets[@]}" "${headers[@]}" "${load[@]}" --path /v1/chat/completions)"
  echo "JSON report: $json_report"
fi
if [[ " $WORKLOADS " == *" sse "* ]]; then
  log "SSE: POST /v1/chat/completions, $CHUNKS chunks per stream"
  sse_report="$("$bench" compare "${targets[@]}" "${headers[@]}" "${load[@]}" --path /v1/chat/completions --stream)"
  echo "SSE report:  $sse_report"
fi
