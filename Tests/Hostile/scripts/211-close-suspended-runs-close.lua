-- hostile: semantics: coroutine.close on a suspended coroutine runs its pending __close handlers in reverse order and reports their errors.
-- expect: ok
local order = {}
local co = coroutine.create(function()
  local a <close> = setmetatable({}, { __close = function() order[#order + 1] = "a" end })
  local b <close> = setmetatable({}, { __close = function() order[#order + 1] = "b" end })
  coroutine.yield()
  order[#order + 1] = "never"
end)
assert(coroutine.resume(co))
assert(coroutine.close(co) == true)
assert(table.concat(order, ",") == "b,a", "got " .. table.concat(order, ","))
assert(coroutine.status(co) == "dead")
local failing = coroutine.create(function()
  local x <close> = setmetatable({}, { __close = function() error("close failed", 0) end })
  coroutine.yield()
end)
coroutine.resume(failing)
local ok, message = coroutine.close(failing)
assert(ok == false and message == "close failed", tostring(message))
assert(coroutine.close(coroutine.create(print)) == true, "closing a coroutine never started is fine")
