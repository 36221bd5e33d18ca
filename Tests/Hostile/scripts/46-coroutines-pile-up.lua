-- hostile: crash: creates suspended coroutines, each with its own stack, and keeps them all.
-- expect: memory
local kept = {}
local n = 0
while true do
  n = n + 1
  local co = coroutine.create(function(x) coroutine.yield(x) end)
  coroutine.resume(co, n)
  kept[n] = co
end
