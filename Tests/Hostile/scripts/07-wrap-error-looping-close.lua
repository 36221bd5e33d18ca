-- hostile: hang: errors inside coroutine.wrap, so the wrapper closes the dead coroutine, whose __close loops (Lua code running on a thread that is neither the main one nor the one resumed).
-- expect: timeout
local f = coroutine.wrap(function()
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  error("die with a pending __close")
end)
pcall(f)
error("ESCAPED: the wrapped coroutine's looping __close returned", 0)
