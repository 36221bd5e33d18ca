-- What stock lua5.4 takes to run the probe's hook (bench/probe) through the designs a host could give
-- it, so that a host's cost per call can be told apart from the design's. Run from the repository:
--   lua5.4 bench/proxy_floor.lua ITERATIONS MODE
-- MODE: plain    the case a plain table whose nil fields go through an __index function (a misspelt
--                field must raise), one shared ctx, a wrapper function between pcall and the hook
--       proxy    the case a read-only proxy over that table (reads: a miss, then the fields table)
--       freshctx proxy, and a fresh six-field ctx made by the wrapper at every call
--       metactx  proxy, and a fresh empty ctx over a shared metatable (what Litige does)
local iterations = tonumber(arg[1]) or 1000000
local mode = arg[2] or "plain"
local plugin = dofile("bench/probe/plugins/probe/init.lua")
local fields = {
  id = 5, status = "open", priority = 3, disputed = 1234.5, escalation = "amicable", age_days = 42,
  category = "price", owner = nil, tags = { "large_amount", "vip" },
}
local known_nil = { owner = true }
setmetatable(fields, {
  __index = function(_, key)
    if known_nil[key] then return nil end
    error("no field " .. tostring(key))
  end,
})
local case = fields
if mode ~= "plain" then
  case = setmetatable({}, { __index = fields, __newindex = function() error("read-only") end })
end
local config = setmetatable({}, { __index = { large_amount = 5000 } })
local hook = plugin.nightly
local call
if mode == "plain" or mode == "proxy" then
  local ctx = { config = config, plugin = "probe", version = "1.0.0", hook = "nightly" }
  call = function(c) return hook(c, ctx) end
elseif mode == "freshctx" then
  call = function(c, run_id, now)
    return hook(c, { config = config, plugin = "probe", version = "1.0.0", hook = "nightly", run_id = run_id, now = now })
  end
elseif mode == "metactx" then
  local meta = { __index = { config = config, plugin = "probe", version = "1.0.0", hook = "nightly", run_id = "r", now = 1 } }
  call = function(c) return hook(c, setmetatable({}, meta)) end
else
  error("unknown mode " .. mode .. " (plain, proxy, freshctx, metactx)")
end
for _ = 1, 1000 do pcall(call, case, "r", 1) end
local started = os.clock()
for _ = 1, iterations do pcall(call, case, "r", 1) end
print(string.format("%s: %.3f µs per call", mode, (os.clock() - started) / iterations * 1e6))
