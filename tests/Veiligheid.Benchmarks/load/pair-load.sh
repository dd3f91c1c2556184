#!/usr/bin/env bash
# Side-by-side load test of case 2 (BENCHMARKS.md, "Thirteenth round"): two servers loaded at the same time, each by a
# wrk of its own, for a before/after comparison on a machine whose speed drifts. run-load.sh loads the baseline, then
# the hub; between the two the speed of this machine moved by up to 15 %, more than most changes are worth. Here both
# sides share the same seconds, so a drift hits both alike; compare their CPU per request (from /proc), not their
# requests per second against run-load.sh's (each side has about half the machine here).
#
# From a fresh clone (after building both sides in Release, or without LOAD_SKIP_BUILD=1 to have them built):
#   apt-get install -y wrk jq sqlite3   # the load tool and its helpers (Debian packages)
#   VEILIGHEID_BENCH_DB=/tmp/veiligheid-bench-v2.db bash tests/Veiligheid.Benchmarks/load/pair-load.sh
#
# Sides: PAIR_A and PAIR_B, each either a checkout of this repository (a directory; its hub is run as built in Release,
# e.g. a `git worktree` of the commit before a change) or "baseline" (the minimal endpoint of this checkout,
# tests/Veiligheid.LoadBaseline). PAIR_A_ENV and PAIR_B_ENV: extra environment for a hub side, space separated
# (e.g. "ProcessingLog__IndexInBackground=false"). The same side twice shows what the method itself moves.
# Settings (environment, defaults in brackets): PAIR_A [this checkout], PAIR_B [baseline], PAIR_DURATION seconds [60],
# PAIR_WARMUP seconds [30], PAIR_CONNECTIONS per side [8], PAIR_OUT [/tmp/veiligheid-pair-<UTC time>],
# LOAD_SKIP_BUILD [0], PAIR_BODY [case 2's body]: a file with another POST body for two hub sides (e.g. one person's
# overview, to see what the log costs a request about one person; the baseline answers case 2 only), with PAIR_EXPECT
# [cases]: the member each of its responses must hold. Each side gets its own copy of VEILIGHEID_BENCH_DB.
# The summary gives each side's CPU per request and the share of it spent in the kernel (system time: syscalls, the
# commits' fsync, network I/O); for a hub, also how many log records its index by data subject was behind when the
# load stopped, and its CPU per request counted until the index had caught up with them (sqlite3 reads the files).
# Exit code: 0 when both sides answered equal data before the load and only correct 200 responses under it.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
source_db=${VEILIGHEID_BENCH_DB:?set VEILIGHEID_BENCH_DB to the seeded benchmark database (it is copied, not written)}
side_a=${PAIR_A:-$repo}
side_b=${PAIR_B:-baseline}
env_a=${PAIR_A_ENV:-}
env_b=${PAIR_B_ENV:-}
duration=${PAIR_DURATION:-60}
warmup=${PAIR_WARMUP:-30}
connections=${PAIR_CONNECTIONS:-8}
out=${PAIR_OUT:-/tmp/veiligheid-pair-$(date -u +%Y%m%dT%H%M%SZ)}
role=Gemeente.Coordinator
org=gemeente-veiligstad
purpose=casusoverleg-zorg-en-veiligheid
lua="$repo/tests/Veiligheid.Benchmarks/load/case2.lua"
declare -A port=([A]=5280 [B]=5281) side=([A]="$side_a" [B]="$side_b") extra=([A]="$env_a" [B]="$env_b")

source "$repo/tests/Veiligheid.Benchmarks/load/common.sh"

command -v wrk >/dev/null || fail "wrk is not installed (Debian: apt-get install -y wrk)"
command -v jq >/dev/null || fail "jq is not installed (Debian: apt-get install -y jq)"
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed (Debian: apt-get install -y sqlite3)"
[[ -f "$source_db" ]] || fail "no database at $source_db"
for s in A B; do
  [[ "${side[$s]}" == baseline || -f "${side[$s]}/Veiligheid.sln" ]] || fail "PAIR_$s is neither 'baseline' nor a checkout: ${side[$s]}"
done
mkdir -p "$out"
log "output in $out"

trap stop_started EXIT

# --- build (Release) -------------------------------------------------------------------------------------------------
if [[ "${LOAD_SKIP_BUILD:-0}" != 1 ]]; then
  for s in A B; do
    [[ "${side[$s]}" == baseline ]] && continue
    log "building $s's hub in Release: ${side[$s]}"
    dotnet build -c Release "${side[$s]}/src/Veiligheid.Api/Veiligheid.Api.csproj" -nologo -v q >>"$out/build.log" 2>&1 \
      || { tail -20 "$out/build.log"; fail "build of $s's hub"; }
  done
  log "building the baseline in Release (a side, or only the request body)"
  dotnet build -c Release "$repo/tests/Veiligheid.LoadBaseline/Veiligheid.LoadBaseline.csproj" -nologo -v q >>"$out/build.log" 2>&1 \
    || { tail -20 "$out/build.log"; fail "baseline build"; }
fi
base_dir="$repo/tests/Veiligheid.LoadBaseline/bin/Release/net10.0"
hub_dir() { echo "$1/src/Veiligheid.Api/bin/Release/net10.0"; }

for p in "${port[@]}"; do
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/" && fail "port $p is in use: stop that server first"
done

# --- the databases, and the token: made before the hubs start, so both read the signing key it makes ---------------
db_of() { echo "/tmp/veiligheid-pair-$1.db"; }
for s in A B; do fresh_copy "$source_db" "$(db_of "$s")"; done
first_hub=""
for s in A B; do
  if [[ "${side[$s]}" != baseline ]]; then first_hub=${side[$s]}; hub_settings "$(db_of "$s")" "$out"; break; fi
done
token=""
if [[ -n "$first_hub" ]]; then
  token=$(dev_token "$(hub_dir "$first_hub")" "$role" "$org")
fi

# --- the two sides ---------------------------------------------------------------------------------------------------
declare -A pid
for s in A B; do
  db=$(db_of "$s")
  if [[ "${side[$s]}" == baseline ]]; then
    log "starting $s: the baseline on 127.0.0.1:${port[$s]}"
    (cd "$base_dir" && exec env ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:${port[$s]}" \
      dotnet Veiligheid.LoadBaseline.dll --Baseline:Database="$db" --Baseline:Organisation="$org") >"$out/$s.log" 2>&1 &
  else
    log "starting $s: the hub of ${side[$s]} on 127.0.0.1:${port[$s]} ${extra[$s]}"
    hub_settings "$db" "$out"
    read -r -a settings <<<"${extra[$s]}"
    (cd "$(hub_dir "${side[$s]}")" && exec env "${hub_env[@]}" "${settings[@]}" ASPNETCORE_URLS="http://127.0.0.1:${port[$s]}" dotnet Veiligheid.Api.dll) >"$out/$s.log" 2>&1 &
  fi
  pid[$s]=$!
  pids+=("${pid[$s]}")
done
for s in A B; do wait_ready "$s" "${port[$s]}" "${pid[$s]}"; done

# --- the request, and one correct, equal response from each side -----------------------------------------------------
if [[ -n "${PAIR_BODY:-}" ]]; then
  [[ "$side_a" != baseline && "$side_b" != baseline ]] || fail "PAIR_BODY: the baseline answers case 2 only"
  cp "$PAIR_BODY" "$out/body.json"
else
  dotnet "$base_dir/Veiligheid.LoadBaseline.dll" request-body >"$out/body.json"
fi
export LOAD_BODY_FILE="$out/body.json" LOAD_EXPECT="${PAIR_EXPECT:-cases}"
for s in A B; do
  headers=(-H 'Content-Type: application/json' -H 'Accept: application/graphql-response+json, application/json')
  [[ "${side[$s]}" != baseline ]] && headers+=(-H "Authorization: Bearer $token" -H "X-Purpose: $purpose")
  status=$(curl -s -o "$out/response-$s.json" -w '%{http_code}' "${headers[@]}" --data-binary "@$out/body.json" "http://127.0.0.1:${port[$s]}/graphql")
  [[ "$status" == 200 ]] || { head -c 600 "$out/response-$s.json" >&2; echo >&2; fail "$s answered $status"; }
  jq -e 'has("errors") | not' "$out/response-$s.json" >/dev/null || fail "$s answered with errors: $(head -c 600 "$out/response-$s.json")"
done
diff <(jq -S .data "$out/response-A.json") <(jq -S .data "$out/response-B.json") >"$out/response.diff" \
  || { head -20 "$out/response.diff" >&2; fail "A and B answer different data (see $out/response.diff)"; }
if [[ -z "${PAIR_BODY:-}" ]]; then log "A and B answer equal data: $(jq '.data.cases.nodes | length' "$out/response-A.json") cases"
else log "A and B answer equal data: $(jq -c '.data | keys' "$out/response-A.json")"; fi

# --- load: both sides through the same seconds -----------------------------------------------------------------------
wrk_side() { # side seconds name
  if [[ "${side[$1]}" == baseline ]]; then local t="" p=""; else local t="$token" p="$purpose"; fi
  LOAD_TOKEN="$t" LOAD_PURPOSE="$p" wrk -t1 -c"$connections" -d"${2}s" --timeout 10s --latency -s "$lua" "http://127.0.0.1:${port[$1]}/graphql" >"$out/wrk-$3.txt" 2>&1
}
both() { # seconds suffix
  wrk_side A "$1" "A$2" & local a=$!
  wrk_side B "$1" "B$2" & local b=$!
  wait "$a" || fail "wrk against A"
  wait "$b" || fail "wrk against B"
}
log "warm-up: ${warmup} s, both sides"
both "$warmup" -warmup
uptime >"$out/uptime-before.txt"
log "load: ${duration} s, both sides, 1 thread and $connections connections each"
declare -A before after kernel_before kernel_after
for s in A B; do before[$s]=$(cpu_ticks "${pid[$s]}"); kernel_before[$s]=$(kernel_ticks "${pid[$s]}"); done
both "$duration" ""
for s in A B; do after[$s]=$(cpu_ticks "${pid[$s]}"); kernel_after[$s]=$(kernel_ticks "${pid[$s]}"); done
uptime >"$out/uptime-after.txt"

# --- the log's index by data subject: how far it was behind when the load stopped, and the CPU of its catch-up --------
# The indexer yields to requests, so part of its work for the window's requests lands after it: the hub's CPU until the
# index has caught up with the log's end at the window's end is counted too (a hub-only column; the baseline has none).
# log_end and index_end: common.sh.
declare -A log_at_end behind caught_up
for s in A B; do
  [[ "${side[$s]}" == baseline ]] && continue
  # Each read in an assignment of its own: under set -e that stops the script when it fails (fail's exit leaves only
  # the $(...) subshell; inside $(( )) or an if's (( )) the empty value was an arithmetic error the script ran on past).
  log_at_end[$s]=$(log_end "$(db_of "$s")"); index_at_end=$(index_end "$(db_of "$s")"); behind[$s]=$(( log_at_end[$s] - index_at_end ))
done
for _ in $(seq 1 300); do
  waiting=0
  for s in A B; do
    [[ "${side[$s]}" == baseline || -n "${caught_up[$s]:-}" ]] && continue
    index_at_end=$(index_end "$(db_of "$s")")
    if (( index_at_end >= log_at_end[$s] )); then caught_up[$s]=$(cpu_ticks "${pid[$s]}"); else waiting=1; fi
  done
  (( waiting )) || break
  sleep 1
done

# --- summary -----------------------------------------------------------------------------------------------------------
hz=$(getconf CLK_TCK)
{
  echo "Side-by-side load test, case 2 ($role, $org, purpose $purpose), both sides at once"
  echo "wrk $(dpkg-query -W -f '${Version}' wrk 2>/dev/null || echo '?'), -t1 -c$connections -d${duration}s per side (after ${warmup} s warm-up), --timeout 10s"
  echo "machine: $(nproc) cores, .NET $(dotnet --version), load generators on the same cores"
  echo "load before: $(cat "$out/uptime-before.txt")"
  echo "load after:  $(cat "$out/uptime-after.txt")"
  for s in A B; do
    if [[ "${side[$s]}" == baseline ]]; then echo "$s: the baseline (limit statement)"
    else echo "$s: hub of ${side[$s]} at $(git -C "${side[$s]}" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "${side[$s]}" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)') ${extra[$s]}"; fi
  done
  echo
  printf '%-5s %9s %9s %9s %9s %12s %9s %8s %6s %14s %18s\n' side requests req/s p50_ms p99_ms CPU_ms/req kernel_% non2xx wrong index_behind CPU_ms/req_indexed
  for s in A B; do
    cpu=$(awk -v a="${before[$s]}" -v b="${after[$s]}" -v hz="$hz" -v n="$(field "$s" requests)" 'BEGIN { printf "%.3f", (b - a) / hz * 1000 / n }')
    kernel=$(awk -v a="${before[$s]}" -v b="${after[$s]}" -v ka="${kernel_before[$s]}" -v kb="${kernel_after[$s]}" 'BEGIN { printf "%.0f", (b > a ? (kb - ka) * 100 / (b - a) : 0) }')
    indexed="-"
    if [[ -n "${caught_up[$s]:-}" ]]; then
      indexed=$(awk -v a="${before[$s]}" -v b="${caught_up[$s]}" -v hz="$hz" -v n="$(field "$s" requests)" 'BEGIN { printf "%.3f", (b - a) / hz * 1000 / n }')
    elif [[ "${side[$s]}" != baseline ]]; then indexed="not caught up"; fi
    printf '%-5s %9s %9s %9s %9s %12s %9s %8s %6s %14s %18s\n' "$s" "$(field "$s" requests)" "$(field "$s" rps)" "$(field "$s" p50_ms)" "$(field "$s" p99_ms)" \
      "$cpu" "$kernel" "$(field "$s" non2xx)" "$(field "$s" bad)" "${behind[$s]:--}" "$indexed"
    eval "cpu_$s=$cpu"
    eval "indexed_$s='$indexed'"
  done
  echo
  echo "B / A CPU per request: $(awk -v a="$cpu_A" -v b="$cpu_B" 'BEGIN { printf "%.3f", b / a }')"
  if [[ "$indexed_A" =~ ^[0-9.]+$ && "$indexed_B" =~ ^[0-9.]+$ ]]; then
    echo "B / A CPU per request with the index caught up: $(awk -v a="$indexed_A" -v b="$indexed_B" 'BEGIN { printf "%.3f", b / a }')"
  fi
  echo "logs: $(grep -c '^fail:' "$out/A.log" || true) 'fail:' entries in A's, $(grep -c '^fail:' "$out/B.log" || true) in B's; files: $out"
} | tee "$out/summary.txt"

bad=$(( $(field A bad) + $(field B bad) + $(field A non2xx) + $(field B non2xx) ))
[[ "$bad" == 0 ]] || fail "$bad wrong or non-2xx responses under load (see LOADFIRSTBAD in $out/wrk-*.txt)"
