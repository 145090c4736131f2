-- wrk script for the bench: headers from the environment, optional list of paths to cycle
-- through (one per line in BENCH_PATHS_FILE), and a JSON summary with p50/p95/p99. A line
-- "path<TAB>body" is sent as a POST of that JSON body.
local headers = {}
local post_headers = {}
local paths = {}
local bodies = {}
local counter = 0

function init(args)
  local auth = os.getenv("BENCH_AUTHORIZATION")
  if auth and auth ~= "" then headers["Authorization"] = auth end
  local cookie = os.getenv("BENCH_COOKIE")
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  local file = os.getenv("BENCH_PATHS_FILE")
  if file and file ~= "" then
    for line in io.lines(file) do
      local path, body = line:match("^([^\t]*)\t(.*)$")
      paths[#paths + 1] = path or line
      bodies[#bodies + 1] = body or false
    end
  end
  for name, value in pairs(headers) do post_headers[name] = value end
  post_headers["Content-Type"] = "application/json"
end

function request()
  local path = nil
  if #paths > 0 then
    counter = counter + 1
    local line = (counter - 1) % #paths + 1
    path = paths[line]
    if bodies[line] then return wrk.format("POST", path, post_headers, bodies[line]) end
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
