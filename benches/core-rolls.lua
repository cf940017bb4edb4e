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

-- A real `1d20+5` tree as critfumble-dice writes it, so that Core's replay check runs.
local body = '{"source":"api","actor":{"name":"bench"},"expression":"1d20+5",' ..
   '"total":17,"rolled":{"type":"binary","value":17,"op":"+","lhs":{"type":"dice","value":12,"notation":"1d20","count":1,"faces":20,"modifiers":[],"rolled_faces":"20","dice":[{"value":12,"kept":true,"exploded":false,"rerolled":false,"added":false,"success":false,"failure":false,"critical":false,"fumble":false}]},"rhs":{"type":"number","value":5}},' ..
   '"label":"bench","rolled_at":"2026-11-25T20:00:00Z"}'

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
