-- wrk script: the support service's ingest path with a new user on every request, so that each request opens a
-- ticket and writes its "New ticket created" business-event line (the logs section measures what lines cost).
-- The run's start second keeps the users of one run apart from those of the runs before it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "dev-key-empresa-001"
local prefix = "logs-" .. os.time() .. "-"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"channel":"web","text":"My invoice shows a double charge, can you refund it?","external_user_id":"' .. prefix .. n .. '"}')
end
