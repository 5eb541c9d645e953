-- wrk script for scripts/bench-notifications: POST /notification/1.0 with a new clientNotificationRef each time
-- (a run prefix, the thread and a counter), alternating SMS and WhatsApp, to numbers the simulated channels deliver.
-- Environment: TOKEN, API_KEY, RUN (a prefix unique to the run).
local run = os.getenv("RUN")
local counter = 0
local thread_id = 0
local next_thread = 0

function setup(thread)
    next_thread = next_thread + 1
    thread:set("thread_id", next_thread)
end

function init(args)
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
    wrk.headers["X-API-Key"] = os.getenv("API_KEY")
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    counter = counter + 1
    local channel = (counter % 2 == 0) and 8 or 6
    local body = string.format(
        '{"clientId":200,"channelId":%d,"destinationIdentifier":"2783%07d","message":"Your voucher PIN is 1234 5678 9012",' ..
        '"clientNotificationRef":"%s-%d-%d"}',
        channel, counter % 10000000, run, thread_id, counter)
    return wrk.format("POST", "/notification/1.0", nil, body)
end

local bad = 0
function response(status, headers, body)
    if status ~= 202 then bad = bad + 1 end
end

function done(summary, latency, requests)
    io.write(string.format("   non-202 answers: %d\n", summary.errors.status))
end
