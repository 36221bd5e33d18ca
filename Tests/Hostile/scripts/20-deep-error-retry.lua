-- hostile: hang: recurses 190 levels deep, raises an error there inside pcall, and repeats forever (deep error unwinding and position info at every turn).
-- expect: timeout
local function dive(n)
  if n == 0 then error("bottom of the dive") end
  local r = dive(n - 1)
  return r
end
local turns = 0
while true do
  for _ = 1, 100 do pcall(dive, 190) end
  turns = turns + 1
end
