-- Stock lua5.4 side of the hook-call comparison: the probe plugin's hook on a plain table.
-- Usage: lua5.4 bench/stock_hook.lua ITERATIONS
local iterations = tonumber(arg[1]) or 1000000
local plugin = dofile("bench/probe/plugins/probe/init.lua")
local case = {
  id = 5, status = "open", priority = 3, disputed = 1234.5, escalation = "amicable", age_days = 42,
  category = "price", owner = nil, tags = { "large_amount", "vip" },
}
local ctx = { config = { large_amount = 5000 }, plugin = "probe", version = "1.0.0", hook = "nightly" }
local hook = plugin.nightly
for _ = 1, 1000 do pcall(hook, case, ctx) end
local started = os.clock()
for _ = 1, iterations do pcall(hook, case, ctx) end
local seconds = os.clock() - started
print(string.format("stock lua5.4: %.3f µs per call, %d calls", seconds / iterations * 1e6, iterations))
