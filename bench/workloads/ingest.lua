-- wrk script: the support service's ingest path.
wrk.method = "POST"
wrk.body = '{"channel":"web","text":"My invoice shows a double charge, can you refund it?","external_user_id":"u1"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "dev-key-empresa-001"
