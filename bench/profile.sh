#!/usr/bin/env bash
# Profiles the gateway under the compare workload: starts the bench mock and a gateway (every stage on,
# plan "bench" from bench/bench-catalogue.yaml), drives closed-loop load with `bench load`, attaches
# async-profiler (fetched from Maven Central on first use) after a warmup, and writes collapsed stacks
# plus a summary: CPU by thread, user vs kernel, by system call, and by the deepest Tollgate frame.
#   bench/profile.sh                 # JSON, 16 connections, 15 s warmup, 8 s profiled
#   MODE=stream bench/profile.sh     # SSE answers
# Env: MODE [json|stream], CONNECTIONS [16], WARMUP_SECONDS [15], PROFILE_SECONDS [8], EVENT [cpu],
# BODY_FILE [empty = a one-line chat; a file = every request's body, as compare.sh takes it]
# (async-profiler event: cpu, itimer, alloc, wall), GATEWAY_IO_THREADS [1], DURABLE_ANSWERS [true],
# OUT [bench/results/profile-<UTC time>], ASYNC_PROFILER_VERSION [4.1].
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
MODE="${MODE:-json}"
CONNECTIONS="${CONNECTIONS:-16}"
WARMUP_SECONDS="${WARMUP_SECONDS:-15}"
PROFILE_SECONDS="${PROFILE_SECONDS:-8}"
EVENT="${EVENT:-cpu}"
ASYNC_PROFILER_VERSION="${ASYNC_PROFILER_VERSION:-4.1}"
OUT="${OUT:-$root/bench/results/profile-$(date -u +%Y%m%d-%H%M%S)}"
MOCK_PORT="${MOCK_PORT:-18281}"
GATEWAY_PORT="${GATEWAY_PORT:-18280}"
ADMIN_PORT="${ADMIN_PORT:-18290}"

# shellcheck source=lib.sh
source "$here/lib.sh"
bench_init profile   # the bench classes, a work directory, and every process started stopped on exit

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

# 2. mock and gateway, a tenant on the bench plan, and its key
start_mock --chunks 16 || exit 1
start_gateway || exit 1
key="$(issue_bench_key)" || exit 1

# 3. load for warmup + profile + a margin; the profiler attaches after the warmup
stream=()
[[ "$MODE" == stream ]] && stream=(--stream)
[[ -n "${BODY_FILE:-}" ]] && stream+=(--body-file "$BODY_FILE")
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
    if not sys_frames and 'do_syscall_64_[k]' in f[:-1]:
        # a system call the kernel entered without its __x64_sys_ wrapper (writev goes to do_writev)
        sys_frames = [f[f.index('do_syscall_64_[k]') + 1]]
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
