-- wrk script for benchmarks/loadtest.py: wrk -s wrk_mix.lua URL -- MIX_FILE
-- MIX_FILE has one request a line: PATH, then tab-separated HEADER=VALUE pairs; a line starting with "!" is
-- sent uncached (a cache-busting _cb= parameter the pages ignore). Each thread walks the mix in turn from its
-- own offset. Prints one JSON line: totals, wrk's error counts and the count of 5xx answers.
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  mix = {}
  for line in io.lines(args[1]) do
    local uncached = line:sub(1, 1) == "!"
    if uncached then line = line:sub(2) end
    local fields = {}
    for field in line:gmatch("[^\t]+") do table.insert(fields, field) end
    local headers = {}
    for i = 2, #fields do
      local name, value = fields[i]:match("^([^=]+)=(.*)$")
      headers[name] = value
    end
    table.insert(mix, {path = fields[1], headers = headers, uncached = uncached,
                       request = wrk.format("GET", fields[1], headers)})
  end
  position = tid * 7
  counter = 0
  server_errors = 0
end

function request()
  position = position % #mix + 1
  local entry = mix[position]
  if entry.uncached then
    counter = counter + 1
    local sep = entry.path:find("?", 1, true) and "&" or "?"
    return wrk.format("GET", entry.path .. sep .. "_cb=" .. tid .. "-" .. counter, entry.headers)
  end
  return entry.request
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local fivexx = 0
  for _, thread in ipairs(threads) do fivexx = fivexx + thread:get("server_errors") end
  local e = summary.errors
  io.write(string.format(
    'LOAD {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "5xx": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    fivexx, latency:percentile(50), latency:percentile(99), latency.max))
end
