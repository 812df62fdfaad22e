-- Drives wrk from a file of requests, one per line: METHOD <tab> PATH [<tab> JSON body].
-- BENCH_REQUESTS names the file, BENCH_TOKEN the bearer token, BENCH_THREADS wrk's -t, and
-- BENCH_ORDER "stride" (each line once, the threads taking turns: events on distinct cases, so no
-- request loses an optimistic lock to another) or "random" (reads).
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    lines[#lines + 1] = {method, path, body ~= "" and body or nil}
  end
  headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"), ["Content-Type"] = "application/json"}
  stride = tonumber(os.getenv("BENCH_THREADS"))
  random = os.getenv("BENCH_ORDER") == "random"
  next_line = index + 1
  failed = 0
  math.randomseed(index * 7919 + 1)
end

function request()
  local line
  if random then
    line = lines[math.random(#lines)]
  else
    line = lines[((next_line - 1) % #lines) + 1]
    next_line = next_line + stride
  end
  return wrk.format(line[1], line[2], headers, line[3])
end

function response(status, headers, body)
  if status >= 300 then failed = failed + 1 end
end

function done(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do failures = failures + thread:get("failed") end
  local errors = summary.errors
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"failed":%d,"socket_errors":%d}\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, failures,
    errors.connect + errors.read + errors.write + errors.timeout))
end
