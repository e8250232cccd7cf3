#!/usr/bin/env bash
# Profiles the gateway under the compare workload: starts the bench mock and a gateway (every stage on,
# plan "bench" from bench/bench-catalogue.yaml), drives closed-loop load with `bench load`, attaches
# async-profiler (fetched from Maven Central on first use) after a warmup, and writes collapsed stacks
# plus a summary: CPU by thread, user vs kernel, by system call, and by the deepest Tollgate frame.
#   bench/profile.sh                 # JSON, 16 connections, 15 s warmup, 8 s profiled
#   MODE=stream bench/profile.sh     # SSE answers
# Env: MODE [json|stream], CONNECTIONS [16], WARMUP_SECONDS [15], PROFILE_SECONDS [8], EVENT [cpu]
# (async-profiler event: cpu, itimer, alloc, wall), IO_THREADS [1], DURABLE_ANSWERS [true],
# OUT [bench/results/profile-<UTC time>], ASYNC_PROFILER_VERSION [4.1].
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="$root/bench/bench"
MODE="${MODE:-json}"
CONNECTIONS="${CONNECTIONS:-16}"
WARMUP_SECONDS="${WARMUP_SECONDS:-15}"
PROFILE_SECONDS="${PROFILE_SECONDS:-8}"
EVENT="${EVENT:-cpu}"
IO_THREADS="${IO_THREADS:-1}"
ASYNC_PROFILER_VERSION="${ASYNC_PROFILER_VERSION:-4.1}"
OUT="${OUT:-$root/bench/results/profile-$(date -u +%Y%m%d-%H%M%S)}"
MOCK_PORT="${MOCK_PORT:-18281}"
GATEWAY_PORT="${GATEWAY_PORT:-18280}"
ADMIN_PORT="${ADMIN_PORT:-18290}"

log() { echo "profile.sh: $*" >&2; }

# 1. async-profiler's native library, from the Maven Central artifact tools.profiler:async-profiler
lib_dir="$HOME/.cache/tollgate/async-profiler-$ASYNC_PROFILER_VERSION"
lib="$lib_dir/linux-x64/libasyncProfiler.so"
[[ "$(uname -m)" == "aarch64" ]] && lib="$lib_dir/linux-arm64/libasyncProfiler.so"
if [[ ! -f "$lib" ]]; then
  log "fetching async-profiler $ASYNC_PROFILER_VERSION from Maven Central"
  mvn -q dependency:get -Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION" >&2
  jar="$HOME/.m2/repository/tools/profiler/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION.jar"
  mkdir -p "$lib_dir" && (cd "$lib_dir" && unzip -q -o "$jar")
fi
if [[ ! -f "$root/bench/target/classpath.txt" ]]; then
  (cd "$root" && mvn -q -o -DskipTests package -pl bench -am) >&2
fi

work="$(mktemp -d -t tollgate-profile.XXXXXX)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_for_port() {
  local port="$1" deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

# 2. mock and gateway (the config lives outside the watched config directory's churn: a temp dir)
"$bench" mock --port "$MOCK_PORT" --chunks 16 >"$work/mock.log" 2>&1 &
pids+=($!)
wait_for_port "$MOCK_PORT" 30 || { log "mock did not start"; cat "$work/mock.log" >&2; exit 1; }
export TOLLGATE_ADMIN_TOKEN="profile-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export OPENAI_API_KEY="sk-mock" ANTHROPIC_API_KEY="sk-ant-mock"
cat >"$work/gateway.yaml" <<YAML
server: {host: 127.0.0.1, port: $GATEWAY_PORT, ioThreads: $IO_THREADS}
admin: {host: 127.0.0.1, port: $ADMIN_PORT, token: "\${TOLLGATE_ADMIN_TOKEN}"}
store: {type: embedded, dataDir: $work/data}
plans: {catalogueFile: $root/bench/bench-catalogue.yaml}
metering: {durableAnswers: ${DURABLE_ANSWERS:-true}}
providers:
  openai: {baseUrl: "http://127.0.0.1:$MOCK_PORT", auth: bearer, apiKey: "\${OPENAI_API_KEY}", dialect: openai}
  anthropic: {baseUrl: "http://127.0.0.1:$MOCK_PORT", auth: x-api-key, apiKey: "\${ANTHROPIC_API_KEY}", dialect: anthropic}
YAML
(cd "$root" && exec ./tollgate --config "$work/gateway.yaml") >"$work/gateway.log" 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")
wait_for_port "$ADMIN_PORT" 60 || { log "gateway did not start"; tail -20 "$work/gateway.log" >&2; exit 1; }
admin="http://127.0.0.1:$ADMIN_PORT"
auth="Authorization: Bearer $TOLLGATE_ADMIN_TOKEN"
curl -fsS -X POST "$admin/admin/tenants" -H "$auth" -d '{"id":"bench","name":"Bench","plan":"bench"}' >/dev/null
key="$(curl -fsS -X POST "$admin/admin/tenants/bench/keys" -H "$auth" -d '{"project":"default","name":"profile"}' \
  | sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')"

# 3. load for warmup + profile + a margin; the profiler attaches after the warmup
stream=()
[[ "$MODE" == stream ]] && stream=(--stream)
"$bench" load --url "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" --connections "$CONNECTIONS" \
  --duration "$((WARMUP_SECONDS + PROFILE_SECONDS + 2))s" --warmup 0s --quiet \
  --header "Authorization: Bearer $key" "${stream[@]}" >"$work/load.out" 2>&1 &
load_pid=$!
sleep "$WARMUP_SECONDS"
mkdir -p "$OUT"
cpu_before="$(awk '{print $14 + $15}' "/proc/$gateway_pid/stat")"
jcmd "$gateway_pid" JVMTI.agent_load "$lib" "\"start,threads,event=$EVENT,interval=1000000\"" >/dev/null
sleep "$PROFILE_SECONDS"
jcmd "$gateway_pid" JVMTI.agent_load "$lib" "\"stop,collapsed,file=$OUT/$MODE-$EVENT.collapsed\"" >/dev/null
cpu_after="$(awk '{print $14 + $15}' "/proc/$gateway_pid/stat")"
wait "$load_pid" || true
cat "$work/load.out" | tail -3 >"$OUT/load.txt"

# 4. summary
python3 - "$OUT/$MODE-$EVENT.collapsed" "$((cpu_after - cpu_before))" "$(getconf CLK_TCK)" "$PROFILE_SECONDS" \
  >"$OUT/summary.txt" <<'PY'
import collections, sys
path, ticks, hz, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
total = 0
threads, syscalls, frames = collections.Counter(), collections.Counter(), collections.Counter()
kernel = 0
for line in open(path):
    stack, n = line.rstrip('\n').rsplit(' ', 1)
    n = int(n)
    total += n
    f = stack.split(';')
    threads[f[0].split(' tid=')[0].strip('[')] += n
    if f[-1].endswith('_[k]'):
        kernel += n
    sys_frames = [x for x in f if x.startswith('__x64_sys_') or x.startswith('__arm64_sys_')]
    syscalls[sys_frames[0] if sys_frames else ('(user)' if not f[-1].endswith('_[k]') else '(kernel, no syscall)')] += n
    deepest = next((x for x in reversed(f) if x.startswith('dev/tollgate') and 'ambda' not in x), '(no Tollgate frame)')
    frames[deepest] += n
pct = lambda v: 100.0 * v / max(total, 1)
print(f"gateway CPU over the profile: {ticks / hz / seconds:.2f} cores; samples {total}; kernel {pct(kernel):.1f} %")
for title, counter, k in (("threads", threads, 8), ("system calls", syscalls, 10), ("deepest Tollgate frame", frames, 30)):
    print(f"\n{title}:")
    for name, v in counter.most_common(k):
        print(f"{pct(v):6.1f} %  {name}")
PY
cat "$OUT/load.txt" "$OUT/summary.txt"
echo "collapsed stacks: $OUT/$MODE-$EVENT.collapsed (any flame graph tool reads them)"
