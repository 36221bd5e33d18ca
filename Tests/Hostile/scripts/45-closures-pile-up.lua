-- hostile: crash: creates closures, each holding its own upvalues, and keeps them all.
-- expect: memory
local kept = {}
local n = 0
while true do
  n = n + 1
  local a, b, c = n, n * 2, tostring(n)
  kept[n] = function() return a + b, c end
end
