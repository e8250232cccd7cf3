#!/usr/bin/env bash
# Scale check: many concurrent slow SSE streams through a real gateway.
# Starts the bench mock (long slow streams), the gateway (a temp config pointing openai at the mock,
# a temp plan catalogue with limits the check never reaches), creates a tenant and a key through the
# admin API, then runs dev.tollgate.bench.scale.StreamScale once per count in STREAMS and prints
# the gateway's RSS, RSS per stream, CPU and counter deltas. Stops what it started.
#   bench/scale.sh                         STREAMS="1000 10000" CHUNKS=60 CHUNK_DELAY_MS=1000
#   STREAMS=500 HOLD_SECONDS=5 bench/scale.sh
#   UPSTREAM_HTTP2=true bench/scale.sh     the gateway reaches the mock over h2c: streams share connections
# Env: STREAMS, CHUNKS, CHUNK_DELAY_MS, HOLD_SECONDS, OPEN_PER_SECOND, GATEWAY_JAVA_OPTS, MOCK_PORT,
# GATEWAY_PORT, ADMIN_PORT, UPSTREAM_HTTP2 (true|false, default false: http2 on the openai provider),
# OUT (a file the RESULT lines are appended to).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
STREAMS="${STREAMS:-1000 10000}"
CHUNKS="${CHUNKS:-60}"
CHUNK_DELAY_MS="${CHUNK_DELAY_MS:-1000}"
HOLD_SECONDS="${HOLD_SECONDS:-10}"
OPEN_PER_SECOND="${OPEN_PER_SECOND:-2000}"
MOCK_PORT="${MOCK_PORT:-18191}"
GATEWAY_PORT="${GATEWAY_PORT:-18190}"
ADMIN_PORT="${ADMIN_PORT:-18192}"
GATEWAY_JAVA_OPTS="${GATEWAY_JAVA_OPTS:--Xmx1g}"
UPSTREAM_HTTP2="${UPSTREAM_HTTP2:-false}"
case "$UPSTREAM_HTTP2" in
  true|false) ;;
  *) echo "UPSTREAM_HTTP2: $UPSTREAM_HTTP2 (expected: true or false)" >&2; exit 2 ;;
esac
TOKEN="scale-admin-$RANDOM$RANDOM"

# over HTTP/1.1 each stream holds two sockets in the gateway (client and upstream), over HTTP/2 about one
# (upstream streams share a few connections): raise the open-files limit
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit="$(ulimit -n)"
echo "open files limit: $fd_limit"

if [[ ! -d bench/target/classes/dev/tollgate/bench/scale || ! -f bench/target/classpath.txt ]]; then
  mvn -q -o -DskipTests package -pl bench -am >&2
fi
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
tmp="$(mktemp -d /tmp/tollgate-scale.XXXXXX)"
mock_pid=""
gateway_pid=""
cleanup() {
  [[ -n "$gateway_pid" ]] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null || true
  [[ -n "$mock_pid" ]] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

cat > "$tmp/catalogue.yaml" <<YAML
catalogue: scale
unit: requests
currency: EUR
defaultRouteWeight: 1
routes: []
defaults:
  hardCap: true
  maxProjects: 1
  alertThresholdsPercent: [50, 80, 100]
  features: {webhooks: false, csvExport: false, budgets: false, slackAlerts: false, turn: false}
  requestsPerSecond: 1000000
  burst: 100000
  requestsPerSecondPerKey: 1000000
  maxConcurrentRequests: 1000000
  maxConcurrentStreams: 1000000
  monthlyTokenBudget: unlimited
  monthlyCostBudgetUsd: unlimited
  allowedModels: ["openai/*", "anthropic/*"]
  maxSubjects: unlimited
  subjectHeader: X-Tollgate-Subject
  subjectCooldownSeconds: 0
plans:
  - name: scale
    priceCents: 0
    includedUnits: 1000000000000
    metricsRetentionDays: 7
YAML
cat > "$tmp/gateway.yaml" <<YAML
server:
  host: 127.0.0.1
  port: $GATEWAY_PORT
admin:
  port: $ADMIN_PORT
store:
  dataDir: $tmp/data
providers:
  openai:
    baseUrl: http://127.0.0.1:$MOCK_PORT
    apiKey: sk-scale-mock
    http2: $UPSTREAM_HTTP2
plans:
  catalogueFile: $tmp/catalogue.yaml
YAML

java -Xmx1g -cp "$cp" dev.tollgate.bench.BenchMain mock --port "$MOCK_PORT" --chunks "$CHUNKS" \
  --chunk-delay-ms "$CHUNK_DELAY_MS" --threads 1 > "$tmp/mock.log" 2>&1 &
mock_pid=$!
TOLLGATE_ADMIN_TOKEN="$TOKEN" java $GATEWAY_JAVA_OPTS -cp "$cp" dev.tollgate.server.bootstrap.Main \
  --config "$tmp/gateway.yaml" > "$tmp/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$ADMIN_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$ADMIN_PORT/healthz" >/dev/null || { echo "gateway did not start:"; cat "$tmp/gateway.log"; exit 1; }
echo "gateway pid $gateway_pid (JVM options: $GATEWAY_JAVA_OPTS, upstream http2: $UPSTREAM_HTTP2), mock pid $mock_pid"

admin() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
admin -X POST "http://127.0.0.1:$ADMIN_PORT/admin/tenants" -d '{"id":"scale","name":"Scale","plan":"scale"}' >/dev/null
key="$(admin -X POST "http://127.0.0.1:$ADMIN_PORT/admin/tenants/scale/keys" -d '{"name":"scale"}' \
  | sed -E 's/.*"key":"([^"]+)".*/\1/')"

for n in $STREAMS; do
  sockets_per_stream=2
  [[ "$UPSTREAM_HTTP2" == true ]] && sockets_per_stream=1
  max=$(( (fd_limit - 400) / sockets_per_stream ))
  if (( n > max )); then
    echo "NOTE: $n streams need about $((sockets_per_stream * n + 400)) open files in the gateway; the limit is $fd_limit: running $max"
    n=$max
  fi
  echo "=== $n concurrent streams ($CHUNKS events, one every $CHUNK_DELAY_MS ms) ==="
  java -Xmx2g -cp "$cp" dev.tollgate.bench.scale.StreamScale --url "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" \
    --key "$key" --streams "$n" --gateway-pid "$gateway_pid" --admin "http://127.0.0.1:$ADMIN_PORT" \
    --chunks "$CHUNKS" --chunk-delay-ms "$CHUNK_DELAY_MS" --open-per-second "$OPEN_PER_SECOND" \
    --hold-seconds "$HOLD_SECONDS" | tee -a "${OUT:-/dev/null}"
  sleep 3
done
if grep -qiE "exception|error" "$tmp/gateway.log"; then
  echo "gateway log (errors):"; grep -iE -m 10 "exception|error" "$tmp/gateway.log"
fi
