-- wrk script: GET a page of Core's web app (PAGE_PATH) as a signed-in browser (the
-- session cookie CORE_SESSION).
request = function()
   local headers = {}
   headers["Cookie"] = "cf_session=" .. os.getenv("CORE_SESSION")
   return wrk.format("GET", os.getenv("PAGE_PATH"), headers)
end

done = function(summary, latency, requests)
   io.write(string.format("requests: %d, non-2xx: %d, p50: %.2f ms, p99: %.2f ms, rate: %.0f/s\n",
      summary.requests, summary.errors.status, latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
