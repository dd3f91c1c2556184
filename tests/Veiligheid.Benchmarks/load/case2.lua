-- wrk script for the HTTP load test of case 2 (BENCHMARKS.md, "HTTP load test (case 2)").
-- Every request: POST /graphql with the body in $LOAD_BODY_FILE (case 2's operation as JSON), and, when set,
-- Authorization: Bearer $LOAD_TOKEN and X-Purpose: $LOAD_PURPOSE. Every response is checked: status 200 and a body
-- that holds "cases" (or the member $LOAD_EXPECT names, for another body) and no "errors" member (run-load.sh compared one full response of each side before the load);
-- done() prints one machine-readable line.

local function read_file(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
  local s = f:read("*a")
  f:close()
  return s
end

wrk.method = "POST"
wrk.body = read_file(os.getenv("LOAD_BODY_FILE"))
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/graphql-response+json, application/json"
local token = os.getenv("LOAD_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
local purpose = os.getenv("LOAD_PURPOSE")
if purpose and purpose ~= "" then wrk.headers["X-Purpose"] = purpose end

local expect = '"' .. (os.getenv("LOAD_EXPECT") or "cases") .. '"'
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0       -- 200 with case data and no errors
  bad = 0      -- anything else (status or body)
  bytes = 0
  first_bad = ""
end

function response(status, headers, body)
  if status == 200 and string.find(body, expect, 1, true) and not string.find(body, '"errors"', 1, true) then
    ok = ok + 1
    bytes = bytes + #body
  else
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body, 1, 200) end
  end
end

function done(summary, latency, requests)
  local ok_total, bad_total, bytes_total, first = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    ok_total = ok_total + t:get("ok")
    bad_total = bad_total + t:get("bad")
    bytes_total = bytes_total + t:get("bytes")
    local fb = t:get("first_bad")
    if first == "" and fb ~= "" then first = fb end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "LOADRESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f "
      .. "non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d ok=%d bad=%d avg_bytes=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.status, e.connect, e.read, e.write, e.timeout, ok_total, bad_total,
    ok_total > 0 and math.floor(bytes_total / ok_total) or 0))
  if first ~= "" then io.write("LOADFIRSTBAD " .. first:gsub("\n", " ") .. "\n") end
end
