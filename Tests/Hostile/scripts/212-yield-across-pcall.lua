-- hostile: semantics: a coroutine may yield from inside pcall and xpcall (their continuations) and get its values back, as in stock Lua 5.4.
-- expect: ok
local co = coroutine.wrap(function(start)
  local ok, value = pcall(function() return coroutine.yield(start + 1) + 1 end)
  local ok2, value2 = xpcall(function() return coroutine.yield(value * 2) end, function(m) return m end)
  local ok3, message3 = pcall(function() coroutine.yield("in pcall") error("after the yield", 0) end)
  return ok, value, ok2, value2, ok3, message3
end)
assert(co(1) == 2)
assert(co(41) == 84)
assert(co("resumed") == "in pcall")
local ok, value, ok2, value2, ok3, message3 = co()
assert(ok == true and value == 42 and ok2 == true and value2 == "resumed", "pcall and xpcall pass values across yields")
assert(ok3 == false and message3 == "after the yield", "an error after a yield inside pcall is caught there")
assert(coroutine.isyieldable() == false, "the script's main body is not yieldable")
local okm, messagem = pcall(coroutine.yield, 1)
assert(not okm and tostring(messagem):find("outside a coroutine"), tostring(messagem))
