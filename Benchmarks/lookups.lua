-- wrk script for scripts/bench-lookups: one lookup (LOOKUP) with keys drawn at random from the fixture
-- (Benchmarks/fixtures/lookup-transactions.sql), so that requests spread over the whole table and its indexes.
-- Environment: LOOKUP, ROWS (fixture rows), BUYERS, TOKEN, API_KEY.
local lookup = os.getenv("LOOKUP")
local rows = tonumber(os.getenv("ROWS"))
local buyers = tonumber(os.getenv("BUYERS"))
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["X-API-Key"] = os.getenv("API_KEY")
wrk.headers["Content-Type"] = "application/json"

local function buyer() return string.format("2782%07d", math.random(0, buyers - 1)) end
local function row() return math.random(1, rows) end

local makers = {
    -- The floor: an authenticated request that does nothing (bearer token and API key checked, no database).
    ["authenticated-no-op"] = function()
        return wrk.format("GET", "/auth/check")
    end,
    ["transaction-by-raasTxnRef"] = function()
        return wrk.format("GET", string.format("/lookup-api/2.0?clientId=200&raasTxnRef=00000000-00c8-4000-8000-%012x", row()))
    end,
    ["transaction-by-clientTxnRef"] = function()
        return wrk.format("GET", "/lookup-api/2.0?clientId=200&clientTxnRef=fx-" .. row())
    end,
    ["transaction-by-reserveFundsTxnRef"] = function()
        return wrk.format("GET", "/lookup-api/2.0?clientId=200&reserveFundsTxnRef=rf-" .. row())
    end,
    ["in-flight-check"] = function()
        local body = string.format(
            '{"clientId":200,"sourceIdentifier":"%s","targetIdentifier":"%s","productId":110,"purchaseAmount":1500}',
            buyer(), buyer())
        return wrk.format("POST", "/in-flight-transaction-check/1.0", nil, body)
    end,
    ["user-transactions-latest"] = function()
        return wrk.format("GET", "/userTransactions/1.0?clientId=200&sourceIdentifier=" .. buyer())
    end,
    ["user-transactions-per-product"] = function()
        return wrk.format("GET", "/userTransactions/1.0?clientId=200&limit=10&sourceIdentifier=" .. buyer())
    end,
    ["token-lookup"] = function()
        return wrk.format("GET", "/tokenLookup/1.0?clientId=200&limit=5&sourceIdentifier=" .. buyer())
    end,
    ["product-lookup"] = function()
        return wrk.format("GET", "/productLookup/2.0?clientId=200")
    end,
    ["country-prefix"] = function()
        return wrk.format("GET", "/lookupCountryPrefix/1.0?countryCode=ZA")
    end,
    ["mno-lookup"] = function()
        return wrk.format("GET", string.format("/mnoLookup/1.0?clientId=200&countryCallingCode=27&msisdn=2783%07d", math.random(0, 9999999)))
    end,
    ["account-validation"] = function()
        return wrk.format("POST", "/customerAccountValidation/2.0/validate", nil, string.format(
            '{"clientId":200,"productId":719,"purchaseAmount":5000,"sourceIdentifier":"%s","targetIdentifier":"%011d","timestamp":"2026-11-29T10:00:00Z"}',
            buyer(), math.random(1, 99999999)))
    end,
}

request = makers[lookup]

