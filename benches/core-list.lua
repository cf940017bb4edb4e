-- wrk script: GET /v1/rolls?campaign_id=... (one page of 50), the query FumbleBot and the
-- web app make most.
request = function()
   local headers = {}
   headers["Authorization"] = "Bearer " .. os.getenv("CORE_KEY")
   return wrk.format("GET", "/v1/rolls?limit=50&campaign_id=" .. os.getenv("CAMPAIGN_ID"), headers)
end

done = function(summary, latency, requests)
   io.write(string.format("requests: %d, non-2xx: %d, p50: %.2f ms, p99: %.2f ms, rate: %.0f/s\n",
      summary.requests, summary.errors.status, latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
