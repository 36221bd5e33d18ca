-- hostile: semantics: goto and labels inside functions work as in stock Lua (backward jumps, continue idiom, nested loops).
-- expect: ok
local function count_to(n)
  local i = 0
  ::again::
  i = i + 1
  if i < n then goto again end
  return i
end
assert(count_to(5) == 5)
local function odd_sum(limit)
  local sum = 0
  for i = 1, limit do
    if i % 2 == 0 then goto continue end
    sum = sum + i
    ::continue::
  end
  return sum
end
assert(odd_sum(10) == 25)
local function find_pair(target)
  for i = 1, 9 do
    for j = 1, 9 do
      if i * j == target then goto found end
    end
  end
  do return nil end
  ::found::
  return true
end
assert(find_pair(42) == true and find_pair(97) == nil)
assert(load("goto nowhere") == nil, "a jump to no label is a compile error")
