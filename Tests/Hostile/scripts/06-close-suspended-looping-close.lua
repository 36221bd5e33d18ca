-- hostile: hang: closes a suspended coroutine whose pending to-be-closed variable loops in __close.
-- expect: timeout
local co = coroutine.create(function()
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  coroutine.yield()
end)
coroutine.resume(co)
coroutine.close(co)
error("ESCAPED: coroutine.close returned from a looping __close", 0)
