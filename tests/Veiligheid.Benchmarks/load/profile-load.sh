#!/usr/bin/env bash
# Where the hub's CPU goes under the load of case 2 (BENCHMARKS.md, sixth round): runs the hub alone on a copy of the
# benchmark database, loads it with wrk as run-load.sh does, and samples the hub process with Linux perf meanwhile.
#
#   apt-get install -y wrk linux-perf     # the load tool and the profiler (Debian packages)
#   VEILIGHEID_BENCH_DB=/tmp/veiligheid-bench-v2.db bash tests/Veiligheid.Benchmarks/load/profile-load.sh
#   perf report -i <out>/perf.data --no-children --sort comm,dso -g none     # by thread and library
#   perf report -i <out>/perf.data --no-children --sort sym -g none          # by function
#
# The hub runs with DOTNET_PerfMapEnabled=1 (perf names JIT-compiled .NET methods from /tmp/perf-<pid>.map) and
# DOTNET_EnableWriteXorExecute=0 (with W^X the JIT's code is mapped twice and perf cannot name it).
# With PROFILE_ALLOC=1 it also traces what the hub allocates over the same seconds (dotnet-trace, the runtime's allocation
# ticks; installed into <out>/tools when not on PATH) and reports it by type, by the hub's methods and by stack, per
# request at the load's rate (tests/Veiligheid.Benchmarks/AllocationReport.cs). Use PROFILE_PERF=0 with it: each
# profiler slows the other's figures.
# Settings (environment, defaults in brackets): PROFILE_DB [/tmp/veiligheid-profile.db], PROFILE_WARMUP seconds [60],
# PROFILE_DURATION seconds of load [30], PROFILE_SAMPLE seconds sampled from 5 s into the load [15], PROFILE_HZ [499],
# PROFILE_PORT [5190], PROFILE_OUT [/tmp/veiligheid-profile-<UTC time>], PROFILE_PERF [1; 0 measures without perf],
# PROFILE_ALLOC [0; 1 traces allocations], PROFILE_HUB_ENV [extra hub settings, e.g. "ProcessingLog__IndexInBackground=false"].
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
source_db=${VEILIGHEID_BENCH_DB:?set VEILIGHEID_BENCH_DB to the seeded benchmark database (it is copied, not written)}
db=${PROFILE_DB:-/tmp/veiligheid-profile.db}
warmup=${PROFILE_WARMUP:-60}
duration=${PROFILE_DURATION:-30}
sample=${PROFILE_SAMPLE:-15}
hz=${PROFILE_HZ:-499}
port=${PROFILE_PORT:-5190}
out=${PROFILE_OUT:-/tmp/veiligheid-profile-$(date -u +%Y%m%dT%H%M%SZ)}
hub_dir="$repo/src/Veiligheid.Api/bin/Release/net10.0"
base_dir="$repo/tests/Veiligheid.LoadBaseline/bin/Release/net10.0"
lua="$repo/tests/Veiligheid.Benchmarks/load/case2.lua"

source "$repo/tests/Veiligheid.Benchmarks/load/common.sh"
command -v wrk >/dev/null || fail "wrk is not installed"
[[ "${PROFILE_PERF:-1}" != 1 ]] || command -v perf >/dev/null || fail "perf is not installed (Debian: linux-perf)"
mkdir -p "$out"
if [[ "${PROFILE_ALLOC:-0}" == 1 ]]; then
  dotnet_trace=$(command -v dotnet-trace || echo "$out/tools/dotnet-trace")
  [[ -x "$dotnet_trace" ]] || dotnet tool install --tool-path "$out/tools" dotnet-trace >"$out/tools.log" 2>&1 \
    || fail "installing dotnet-trace (see $out/tools.log)"
fi

cd "$repo"
dotnet build -c Release src/Veiligheid.Api/Veiligheid.Api.csproj -nologo -v q >"$out/build.log" 2>&1 || fail "hub build (see $out/build.log)"
dotnet build -c Release tests/Veiligheid.LoadBaseline/Veiligheid.LoadBaseline.csproj -nologo -v q >>"$out/build.log" 2>&1 || fail "baseline build"
if [[ "${PROFILE_ALLOC:-0}" == 1 ]]; then
  dotnet build -c Release tests/Veiligheid.Benchmarks/Veiligheid.Benchmarks.csproj -nologo -v q >>"$out/build.log" 2>&1 || fail "benchmarks build (alloc-report)"
fi
fresh_copy "$source_db" "$db"

read -r -a extra <<<"${PROFILE_HUB_ENV:-}"
hub_settings "$db" "$out"
hub_env+=("${extra[@]}")
token=$(dev_token "$hub_dir" Gemeente.Coordinator gemeente-veiligstad)
(cd "$hub_dir" && exec env "${hub_env[@]}" DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 ASPNETCORE_URLS="http://127.0.0.1:$port" dotnet Veiligheid.Api.dll) >"$out/hub.log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null || true; wait $hub 2>/dev/null || true' EXIT
wait_ready hub "$port" "$hub"

dotnet "$base_dir/Veiligheid.LoadBaseline.dll" request-body >"$out/body.json"
export LOAD_BODY_FILE="$out/body.json" LOAD_TOKEN="$token" LOAD_PURPOSE=casusoverleg-zorg-en-veiligheid
log "warm-up: ${warmup} s"
wrk -t2 -c16 -d"${warmup}s" --timeout 10s -s "$lua" "http://127.0.0.1:$port/graphql" >"$out/wrk-warmup.txt"
ticks_before=$(cpu_ticks "$hub")
log "load: ${duration} s$([[ "${PROFILE_PERF:-1}" == 1 ]] && echo ", perf for ${sample} s")"
wrk -t2 -c16 -d"${duration}s" --timeout 10s --latency -s "$lua" "http://127.0.0.1:$port/graphql" >"$out/wrk-load.txt" &
load=$!
sleep 5
if [[ "${PROFILE_ALLOC:-0}" == 1 ]]; then
  # GC events at verbose level carry the allocation ticks; the trace's end adds the rundown that names the methods.
  "$dotnet_trace" collect -p "$hub" --providers "Microsoft-Windows-DotNETRuntime:0x1:5" \
    --duration "$(printf '00:%02d:%02d:%02d' $((sample / 3600)) $((sample % 3600 / 60)) $((sample % 60)))" -o "$out/alloc.nettrace" >"$out/alloc-trace.log" 2>&1 &
  tracer=$!
fi
if [[ "${PROFILE_PERF:-1}" == 1 ]]; then
  perf record -F "$hz" -g -p $hub -o "$out/perf.data" -- sleep "$sample" 2>"$out/perf.log"
fi
[[ -z "${tracer:-}" ]] || wait "$tracer" || fail "dotnet-trace (see $out/alloc-trace.log)"
wait $load
ticks_after=$(cpu_ticks "$hub")
requests=$(field load requests)
grep '^LOADRESULT' "$out/wrk-load.txt" | tee "$out/summary.txt"
awk -v a="$ticks_before" -v b="$ticks_after" -v r="$requests" -v hz="$(getconf CLK_TCK)" \
  'BEGIN { printf "hub CPU per request: %.2f ms (process CPU over the load, perf included)\n", (b - a) / hz * 1000 / r }' | tee -a "$out/summary.txt"
[[ "${PROFILE_PERF:-1}" == 1 ]] && perf report -i "$out/perf.data" --no-children --sort comm,dso -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -12 | tee -a "$out/summary.txt"
if [[ "${PROFILE_ALLOC:-0}" == 1 ]]; then
  dotnet run -c Release --no-build --project "$repo/tests/Veiligheid.Benchmarks" -- alloc-report "$out/alloc.nettrace" "$(field load rps)" \
    >"$out/alloc.txt" 2>&1 || { cat "$out/alloc.txt" >&2; fail "alloc-report"; }
  head -2 "$out/alloc.txt" | tee -a "$out/summary.txt"
fi
log "files: $out"
