-- wrk script for `indexpilot-analytics bench --load wrk`: every request
-- POSTs one valid seed-format report with a fresh report_id, from one of
-- 10,000 installations, timestamped within the last day (live traffic).
-- The X-API-Key comes as the script's first argument (after "--"); the
-- second, a share from 0 to 1, is how many requests send again a report
-- the thread sent before (a retry after an outage; 0 when absent).
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  key = args[1] or ""
  share = tonumber(args[2] or "0") or 0
  sent = {}
  counter = 0
  math.randomseed(tid * 7919 + os.time())
end

local body = '{"report_id":"%08x-%04x-4%03x-8%03x-%012x","installation_id":"bench-%06d",' ..
  '"version":"1.%d.%d","timestamp":"%s","metrics":{"features_used":["auto_indexing","pattern_detection"],' ..
  '"indexes_created":%d,"queries_analyzed":%d,"performance_improvement_pct":%.1f,' ..
  '"algorithm_usage":{"predictive_indexing":%d,"cert":%d,"qpg":%d}},' ..
  '"environment":{"python_version":"3.11.0","postgresql_version":"1%d.0","os":"linux","cpu_cores":8}}'

function request()
  if #sent > 0 and math.random() < share then
    return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-API-Key"] = key},
      sent[math.random(1, #sent)])
  end
  counter = counter + 1
  local inst = math.random(0, 9999)
  local ts = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - math.random(0, 86399))
  local b = string.format(body, os.time() % 4294967296, tid, math.random(0, 4095), math.random(0, 4095), counter,
    inst, inst % 3, math.random(0, 2), ts, math.random(0, 49), math.random(0, 99999), math.random() * 60,
    math.random(0, 19), math.random(0, 9), math.random(0, 14), 4 + inst % 4)
  if share > 0 then
    sent[(counter - 1) % 64 + 1] = b -- the thread's last 64 reports, to send again
  end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-API-Key"] = key}, b)
end
