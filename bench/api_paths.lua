-- wrk script of bench/api.py: rotate over a file of request paths, one per line.
--   wrk -t1 -c8 -d10s --latency -s bench/api_paths.lua http://127.0.0.1:PORT -- PATHS_FILE
-- Each thread starts at its own offset of the list. The User-Agent header is required by
-- the API (403 without it). done() prints one JSON line that bench/api.py reads.

wrk.headers["User-Agent"] = "wikiviews-bench/1.0 (bench/api.py; loopback load test)"

local paths = {}
local next_index = 1
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("offset", thread_count)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  local start = tonumber(offset) or 1
  next_index = ((start - 1) * 7919) % #paths + 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\":%d,\"duration_us\":%d,\"bytes\":%d,\"connect\":%d," ..
    "\"read\":%d,\"write\":%d,\"status\":%d,\"timeout\":%d,\"p50_us\":%d," ..
    "\"p90_us\":%d,\"p99_us\":%d,\"max_us\":%d,\"mean_us\":%.1f}\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
