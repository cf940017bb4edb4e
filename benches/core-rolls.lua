-- wrk script: POST /v1/rolls with a distinct Idempotency-Key per request.
-- Each wrk thread numbers its own requests; the thread id keeps keys unique across threads.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   thread_id = id
   math.randomseed(os.time() + id)
   run = tostring(math.random(1, 1000000000))
end

local body = '{"source":"api","actor":{"name":"bench"},"expression":"1d20+5",' ..
   '"total":17,"rolled":{"sides":20,"results":[12]},"label":"bench",' ..
   '"rolled_at":"2026-11-25T20:00:00Z"}'

request = function()
   counter = counter + 1
   local headers = {}
   headers["Content-Type"] = "application/json"
   headers["Authorization"] = "Bearer " .. os.getenv("CORE_KEY")
   headers["Idempotency-Key"] = "bench-" .. run .. "-" .. thread_id .. "-" .. counter
   return wrk.format("POST", "/v1/rolls", headers, body)
end

done = function(summary, latency, requests)
   local statuses = summary.errors.status
   io.write(string.format("requests: %d, non-2xx: %d, p50: %.2f ms, p99: %.2f ms, rate: %.0f/s\n",
      summary.requests, statuses, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.requests / (summary.duration / 1e6)))
end
