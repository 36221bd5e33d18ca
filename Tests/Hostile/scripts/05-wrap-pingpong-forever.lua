-- hostile: hang: bounces forever between the script and a wrapped coroutine that yields in a loop.
-- expect: timeout
local step = coroutine.wrap(function()
  while true do coroutine.yield(1) end
end)
local total = 0
while true do total = total + step() end
