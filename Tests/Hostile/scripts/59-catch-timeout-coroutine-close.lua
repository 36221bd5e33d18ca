-- hostile: catch: closes a suspended coroutine whose __close loops, expecting coroutine.close to return false and an error.
-- expect: timeout
local co = coroutine.create(function()
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  coroutine.yield()
end)
coroutine.resume(co)
local ok = coroutine.close(co)
error("ESCAPED: coroutine.close returned " .. tostring(ok), 0)
