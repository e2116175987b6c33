-- wrk script for benchmarks/bench.py: wrk -s wrk.lua URL -- PATH MODE [HEADER=VALUE ...]
-- MODE "uncached" adds a cache-busting query parameter (_cb=thread-counter) that the pages ignore, so every
-- request misses the page cache; any other mode sends PATH as it is. Prints one JSON line for bench.py.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  mode = args[2]
  headers = {}
  for i = 3, #args do
    local name, value = args[i]:match("^([^=]+)=(.*)$")
    if name then headers[name] = value end
  end
end

function request()
  if mode == "uncached" then
    counter = counter + 1
    local sep = path:find("?", 1, true) and "&" or "?"
    return wrk.format("GET", path .. sep .. "_cb=" .. tid .. "-" .. counter, headers)
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
