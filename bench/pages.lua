-- wrk script of bench/convenor.py: GETs of several pages in turn, as one signed-in person
-- (a session cookie) or a partner (one of several API keys, in turn) reads them.
--
--   BENCH_PATHS: the paths to read, separated by "|", each connection taking the next
--   BENCH_COOKIE: the Cookie header (a session), or empty
--   BENCH_KEYS: API keys separated by "|", sent in turn as "Authorization: Bearer ...",
--     or empty

local function split(text)
   local parts = {}
   for part in string.gmatch(text or "", "[^|]+") do
      table.insert(parts, part)
   end
   return parts
end

local paths = split(os.getenv("BENCH_PATHS"))
local keys = split(os.getenv("BENCH_KEYS"))
local cookie = os.getenv("BENCH_COOKIE") or ""

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- Globals, not locals: done() reads them from each thread with thread:get.
ok = 0
failed = 0
sent = 0

function init(args)
   if cookie ~= "" then
      wrk.headers["Cookie"] = cookie
   end
end

function request()
   sent = sent + 1
   local path = paths[(sent - 1) % #paths + 1]
   local headers = nil
   if #keys > 0 then
      headers = { Authorization = "Bearer " .. keys[(sent - 1) % #keys + 1] }
   end
   return wrk.format("GET", path, headers)
end

function response(status, headers, body)
   if status == 200 then
      ok = ok + 1
   else
      failed = failed + 1
   end
end

function done(summary, latency, requests)
   local total_ok, total_failed = 0, 0
   for _, thread in ipairs(threads) do
      total_ok = total_ok + thread:get("ok")
      total_failed = total_failed + thread:get("failed")
   end
   io.write(string.format(
      "WRK accepted=%d refused=%d requests=%d seconds=%.3f p50_ms=%.2f p95_ms=%.2f "
         .. "p99_ms=%.2f connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
      total_ok, total_failed, summary.requests, summary.duration / 1e6,
      latency:percentile(50) / 1000, latency:percentile(95) / 1000,
      latency:percentile(99) / 1000, summary.errors.connect, summary.errors.read,
      summary.errors.write, summary.errors.timeout))
end
