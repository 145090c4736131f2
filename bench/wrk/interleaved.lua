-- wrk script for the audit cost: two kinds of request, A and B, alternated on every connection,
-- the same case back to back, each request timed. Both kinds then share every moment of the
-- run, so what drifts on a busy machine falls on both alike.
--
-- Run with as many threads as connections: one connection per thread, so each response
-- answers the request that thread sent just before it. Environment, per kind K in A and B:
-- BENCH_K_AUTHORIZATION (the header) and BENCH_K_PATHS_FILE (one path per line; line i of A
-- and line i of B name the same case); BENCH_THREADS, to start each thread elsewhere in the
-- list (a case is consulted once per run and token). A line "path<TAB>body" is sent as a POST
-- of that JSON body; BENCH_EXPECT_STATUS (200 unless given) is the answer that counts as success.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  threads[#threads + 1] = thread
end

-- Per thread, read back in done(): the kind and latency of each answered request, in order.
thread_number = 0
sent_kinds = {}
latencies_us = {}
failures = 0

local kinds = {}
local order = { "A", "B" }
local sent_at, sent_kind

local expected_status = tonumber(os.getenv("BENCH_EXPECT_STATUS") or "200")

local function lines_of(name)
  local paths, bodies = {}, {}
  for line in io.lines(os.getenv(name)) do
    local path, body = line:match("^([^\t]*)\t(.*)$")
    paths[#paths + 1] = path or line
    bodies[#bodies + 1] = body or false
  end
  return paths, bodies
end

function init(args)
  for _, kind in ipairs({ "A", "B" }) do
    local authorization = os.getenv("BENCH_" .. kind .. "_AUTHORIZATION")
    local paths, bodies = lines_of("BENCH_" .. kind .. "_PATHS_FILE")
    kinds[kind] = { headers = { Authorization = authorization },
                    post_headers = { Authorization = authorization, ["Content-Type"] = "application/json" },
                    paths = paths, bodies = bodies }
  end
  -- Half the threads send B first: neither kind always finds the case warmed by the other.
  if thread_number % 2 == 1 then order = { "B", "A" } end
end

function request()
  -- Counted by answers, not by calls: wrk calls request() once more on the first thread, to
  -- check the script, before anything is sent.
  local answered = #latencies_us
  local pair, second = math.floor(answered / 2), answered % 2
  sent_kind = order[second + 1]
  local spec = kinds[sent_kind]
  local threads_total = tonumber(os.getenv("BENCH_THREADS") or "1")
  local start = math.floor(#spec.paths / threads_total) * thread_number
  local line = (start + pair) % #spec.paths + 1
  sent_at = now_us()
  if spec.bodies[line] then return wrk.format("POST", spec.paths[line], spec.post_headers, spec.bodies[line]) end
  return wrk.format("GET", spec.paths[line], spec.headers)
end

function response(status, headers, body)
  latencies_us[#latencies_us + 1] = now_us() - sent_at
  sent_kinds[#sent_kinds + 1] = sent_kind
  if status ~= expected_status then failures = failures + 1 end
end

function done(summary, latency, requests)
  local parts, failed = {}, 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    parts[#parts + 1] = string.format('{"kinds": "%s", "latencies_us": [%s]}',
      table.concat(thread:get("sent_kinds")), table.concat(thread:get("latencies_us"), ","))
  end
  io.write(string.format('BENCH_JSON {"duration_us": %d, "failures": %d, "socket_errors": %d, "threads": [%s]}\n',
    summary.duration, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ",")))
end
