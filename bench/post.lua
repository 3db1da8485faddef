-- wrk script: POST a JSON message with a bearer token (set by bench/api_send.py through env).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("LNK_TOKEN")
if token and #token > 0 then
  wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.body = '{"content": "Hello, is Thursday afternoon still good for the sink repair?"}'

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("latency_p50_ms %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("latency_p99_ms %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("requests %d\n", summary.requests))
end
