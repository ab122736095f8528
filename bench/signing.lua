-- wrk script of bench/signing.py: public signature submissions, each for a different
-- organisation with a different address, reusing one CSRF token and its cookie (Django
-- accepts a token again with the cookie it came with).
--
--   BENCH_TOKEN, BENCH_COOKIE, BENCH_ORIGIN: from one GET of the public page
--   BENCH_RUN: a word that makes this run's names and addresses its own

local token = os.getenv("BENCH_TOKEN") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""
local origin = os.getenv("BENCH_ORIGIN") or ""
local run = os.getenv("BENCH_RUN") or "run"
-- BENCH_MODE=read: plain GETs of the URL given to wrk (the crowd reading the page), in
-- four languages in turn (bench/signing.py's LANGUAGES).
local reading = os.getenv("BENCH_MODE") == "read"
local languages = {"en-GB,en;q=0.9", "fr-FR,fr;q=0.9,en;q=0.5", "es", "pt-BR,pt;q=0.9"}
local reads = {}

local threads = {}
local thread_number = 0

function setup(thread)
   thread_number = thread_number + 1
   thread:set("thread_number", thread_number)
   table.insert(threads, thread)
end

-- Globals, not locals: done() reads them from each thread with thread:get.
sent = 0
accepted = 0
refused = 0

function init(args)
   wrk.headers["X-Forwarded-Proto"] = "https"
   if reading then
      for i, language in ipairs(languages) do
         reads[i] = wrk.format("GET", nil, {
            ["X-Forwarded-Proto"] = "https",
            ["Accept-Language"] = language,
         })
      end
      return
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.headers["Cookie"] = "csrftoken=" .. cookie
   wrk.headers["Origin"] = origin
end

function request()
   if reading then
      sent = sent + 1
      return reads[sent % #reads + 1]
   end
   sent = sent + 1
   local id = run .. "-" .. thread_number .. "-" .. sent
   local body = "csrfmiddlewaretoken=" .. token
      .. "&organisation_name=Bench+Collective+" .. id
      .. "&country=KE&kind=grassroots"
      .. "&signatory_name=Signatory+" .. id
      .. "&signatory_title=Director"
      .. "&email=bench-" .. id .. "%40example.org"
      .. "&visibility=listed&website_url="
   return wrk.format(nil, nil, nil, body)
end

-- A public submission is accepted with a 303 to "check your email"; the reading crowd
-- gets 200s.
function response(status, headers, body)
   if status == 303 or (reading and status == 200) then
      accepted = accepted + 1
   else
      refused = refused + 1
   end
end

function done(summary, latency, requests)
   local total_accepted, total_refused = 0, 0
   for _, thread in ipairs(threads) do
      total_accepted = total_accepted + thread:get("accepted")
      total_refused = total_refused + thread:get("refused")
   end
   io.write(string.format(
      "WRK accepted=%d refused=%d requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f "
         .. "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
      total_accepted, total_refused, summary.requests, summary.duration / 1e6,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.errors.connect, summary.errors.read, summary.errors.write,
      summary.errors.timeout))
end
