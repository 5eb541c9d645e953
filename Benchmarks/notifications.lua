-- wrk script for scripts/bench-notifications: POST /notification/1.0 with a new clientNotificationRef each time
-- (a run prefix, the thread and a counter), alternating SMS and WhatsApp, to numbers the simulated channels deliver.
-- Environment: TOKEN, API_KEY, RUN (a prefix unique to the run); RATE and CONNECTIONS to pace the requests at about
-- RATE per second in all (each connection waits CONNECTIONS/RATE between its requests, less the answer's time).
local run = os.getenv("RUN")
local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "1")
local counter = 0
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("thread_id", threads)
end

function init(args)
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
    wrk.headers["X-API-Key"] = os.getenv("API_KEY")
    wrk.headers["Content-Type"] = "application/json"
end

function delay()
    if rate <= 0 then return 0 end
    return math.max(connections * 1000 / rate - 1, 0)
end

function request()
    counter = counter + 1
    local channel = (counter % 2 == 0) and 8 or 6
    local body = string.format(
        '{"clientId":200,"channelId":%d,"destinationIdentifier":"2783%04d567","message":"Your voucher PIN is 1234 5678 9012",' ..
        '"clientNotificationRef":"%s-%d-%d"}',
        channel, counter % 10000, run, thread_id, counter)
    return wrk.format("POST", "/notification/1.0", nil, body)
end

function done(summary, latency, requests)
    io.write(string.format("   non-2xx answers: %d\n", summary.errors.status))
end
