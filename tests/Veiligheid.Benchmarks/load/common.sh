# Shared by run-load.sh, pair-load.sh and profile-load.sh (sourced, not run): messages, the started processes, the
# database copy, the hub's settings and token, waiting for a server, and reading a run's figures.

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

# The processes a script starts in the background (servers, samplers) go into the array pids; stop_started stops them
# and waits for them (trap it on EXIT, so a failed run leaves no server holding a port).
pids=()
stop_started() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# log_file_of DB: the processing log's own file beside DB (src/Veiligheid.Api/Data/SqliteLogFile.cs: x.db ->
# x.processing-log.db).
log_file_of() { echo "${1%.*}.processing-log.${1##*.}"; }

# fresh_copy SOURCE DEST: DEST becomes a copy of SOURCE (which is only read), with SOURCE's processing log file when it
# has one: a database seeded by this build keeps its log in that file, and the hub refuses a copy without it. The files
# an earlier run left beside DEST go first: its WAL, its log's file, which the hub would otherwise refuse as another
# database's log, and the log's index (x.processing-log-index.db), which it would make again from that log.
fresh_copy() {
  local source=$1 dest=$2 source_log log_db index_db="${2%.*}.processing-log-index.${2##*.}" file
  source_log=$(log_file_of "$source")
  log_db=$(log_file_of "$dest")
  [[ "$(realpath -m "$source")" != "$(realpath -m "$dest")" ]] || fail "the copy must differ from $source (it is written)"
  for file in "$source" "$source_log"; do
    [[ -f "$file-wal" ]] && fail "$file has a -wal file: checkpoint it first, the copy would miss data"
  done
  for file in "$dest" "$log_db" "$index_db"; do rm -f "$file" "$file-journal" "$file-wal" "$file-shm"; done
  cp "$source" "$dest"
  if [[ -f "$source_log" ]]; then cp "$source_log" "$log_db"; fi
}

# hub_settings DB OUT: the hub's environment for a load run, in the array hub_env. Development, because the hub accepts
# the local development token issuer only there (this machine has no Entra ID); the rate limits per organisation and
# per address raised for the run (the defaults in the code are unchanged).
hub_settings() {
  hub_env=(
    ASPNETCORE_ENVIRONMENT=Development
    "Database__Provider=Sqlite"
    "Database__SqlitePath=$1"
    "DevTokens__SigningKeyPath=$2/dev-token-signing-key.json"
    "RateLimits__PerOrganisation=1000000000"
    "RateLimits__PerAddress=1000000000"
  )
}

# dev_token HUB_DIR ROLE ORG: prints a development token for ROLE at ORG from the hub built in HUB_DIR, under the
# settings in hub_env (so the hub started with them accepts it: it reads the signing key this writes).
dev_token() {
  local token
  token=$(cd "$1" && env "${hub_env[@]}" dotnet Veiligheid.Api.dll token --role "$2" --org "$3" --minutes 240 2>"$out/token.err") \
    || { cat "$out/token.err" >&2; fail "token command"; }
  [[ "$token" == ey* ]] || fail "the token command printed no token"
  echo "$token"
}

# wait_ready NAME PORT PID: waits until the server answers 200 on /health; fails when it exits first (its output in
# $out/NAME.log) or is not ready after 180 s.
wait_ready() {
  local i
  for ((i = 0; i < 180; i++)); do
    kill -0 "$3" 2>/dev/null || { tail -20 "$out/$1.log" >&2; fail "$1 exited"; }
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$2/health")" == 200 ]] && return 0
    sleep 1
  done
  fail "$1 not ready after 180 s"
}

# cpu_ticks PID: the CPU time the process used so far, user and system, in clock ticks (getconf CLK_TCK a second).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# kernel_ticks PID: the part of cpu_ticks spent in the kernel on the process's behalf (system time: syscalls, fsync, I/O).
kernel_ticks() { awk '{ print $15 }' "/proc/$1/stat"; }

# field RUN NAME: one figure of the LOADRESULT line that case2.lua printed into $out/wrk-RUN.txt.
field() { sed -n 's/^LOADRESULT .*\b'"$2"'=\([^ ]*\).*/\1/p' "$out/wrk-$1.txt"; }

# log_end DB: the hub's processing log's last sequence (its own file beside the database). index_end DB: the watermark of
# its index by data subject; in the index's shape before the eighteenth round, its highest row. Both read with sqlite3,
# and stop the script when it cannot read them: a 0 in their place made an index look caught up, or a log look empty.
# Call each in an assignment of its own (x=$(log_end "$db")): fail's exit leaves only the $(...) subshell, and set -e
# stops the script on the assignment's status, where inside $(( )) or an if's (( )) the empty value is an arithmetic
# error that bash runs on past.
# The log's end is the last person row's, or the last action's last record when its records are packed (the hub's
# PackedRecords.LogEndSql; sqlite3 3.38 or later for its JSON).
log_end() {
  sqlite3 "$(log_file_of "$1")" 'SELECT max(COALESCE((SELECT max("Sequence") FROM "ProcessingLog"), 0), COALESCE((SELECT "p"."Id" + max(COALESCE(json_array_length(CASE WHEN json_valid("p"."Records") THEN "p"."Records" END), 1), 1) - 1 FROM (SELECT "Id", "Records" FROM "ProcessingActions" ORDER BY "Id" DESC LIMIT 1) AS "p" WHERE "p"."Records" IS NOT NULL), 0));' 2>/dev/null \
    || fail "sqlite3 cannot read the processing log of $1 (is sqlite3 installed, is the file there?)"
}
index_end() {
  local file="${1%.*}.processing-log-index.${1##*.}"
  sqlite3 "$file" 'SELECT COALESCE(MAX("Through"), 0) FROM "ProcessingLogIndexPasses";' 2>/dev/null \
    || sqlite3 "$file" 'SELECT COALESCE(MAX("Sequence"), 0) FROM "ProcessingLogSubjects";' 2>/dev/null \
    || fail "sqlite3 cannot read the index by data subject of $1 ($file)"
}
