-- hostile: hang: Lua 5.4.7 bug message handler overwritten while closing a coroutine (upstream 3fe7be95, fixed in 5.4.8)
-- expect: timeout
-- A local of the __close function lands in the stale message-handler slot; without the fix the
-- interrupt then runs the script's loop as the handler, with hooks off, and nothing stops it.
local c = coroutine.create(function()
  local clo <close> = setmetatable({}, {__close = function()
    local h = function() while true do end end
    while true do end
  end})
  xpcall(coroutine.yield, function(m) return m end)
end)
coroutine.resume(c)
coroutine.close(c)
