# Shared by run-load.sh and profile-load.sh (sourced, not run): messages, the database copy and the hub's settings.

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

# fresh_copy SOURCE DEST: DEST becomes a copy of SOURCE (which is only read). The files an earlier run left beside DEST
# go first: its WAL, the processing log's own file (src/Veiligheid.Api/Data/SqliteLogFile.cs: x.db ->
# x.processing-log.db), which the hub would otherwise refuse as another database's log, and the log's index
# (x.processing-log-index.db), which it would make again from that log.
fresh_copy() {
  local source=$1 dest=$2 log_db="${2%.*}.processing-log.${2##*.}" index_db="${2%.*}.processing-log-index.${2##*.}" file
  [[ "$(realpath -m "$source")" != "$(realpath -m "$dest")" ]] || fail "the copy must differ from $source (it is written)"
  [[ -f "$source-wal" ]] && fail "$source has a -wal file: checkpoint it first, the copy would miss data"
  for file in "$dest" "$log_db" "$index_db"; do rm -f "$file" "$file-journal" "$file-wal" "$file-shm"; done
  cp "$source" "$dest"
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
