-- wrk script for bench/server/load.sh: POST /api/v1/search as a signed-in
-- caseworker, cycling through a list of names so that the queries (and
-- their results) differ.
--
-- Environment (set by load.sh):
--   KL_COOKIE  the kl_session cookie's value
--   KL_CSRF    the session's CSRF token
--   KL_NAMES   a file of names, one a line, already safe inside a JSON string
--
-- done() prints "non_2xx N" and one "status CODE N" line per status seen,
-- which load.sh reads into its summary.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local requests = {}
local next_request = 1
statuses = {}
non_2xx = 0

function init(args)
  local cookie = os.getenv("KL_COOKIE") or ""
  local csrf = os.getenv("KL_CSRF") or ""
  local names_file = os.getenv("KL_NAMES") or ""
  local headers = {
    ["Content-Type"] = "application/json",
    ["Cookie"] = "kl_session=" .. cookie,
    ["X-CSRF-Token"] = csrf,
  }
  local f = io.open(names_file, "r")
  if f == nil then
    error("cannot read KL_NAMES=" .. names_file)
  end
  for name in f:lines() do
    if name ~= "" then
      local body = '{"fields":{"full_name":"' .. name .. '"},"kind":"person","top":10}'
      table.insert(requests, wrk.format("POST", "/api/v1/search", headers, body))
    end
  end
  f:close()
  if #requests == 0 then
    error("no names in " .. names_file)
  end
  -- Threads start at different names.
  next_request = (id * 97) % #requests + 1
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("non_2xx")
    for code, n in pairs(thread:get("statuses")) do
      by_status[code] = (by_status[code] or 0) + n
    end
  end
  io.write(string.format("non_2xx %d\n", total))
  for code, n in pairs(by_status) do
    io.write(string.format("status %d %d\n", code, n))
  end
end
