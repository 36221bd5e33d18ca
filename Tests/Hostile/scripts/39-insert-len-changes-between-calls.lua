-- hostile: hang: a __len that answers 1 the first time it is asked and math.maxinteger - 1 afterwards, so a check of the length and the shift itself could see different lengths.
-- expect: ok
-- table.insert asks __len once (ltablib.c), so the shift is over one element and ends at once;
-- a host that checked the length in a wrapper and then called the original would see two answers.
local asked = 0
local t = setmetatable({}, { __len = function()
  asked = asked + 1
  if asked == 1 then return 1 end
  return math.maxinteger - 1
end })
table.insert(t, 1, "x")
assert(asked == 1, "table.insert asked the length " .. asked .. " times")
assert(rawget(t, 1) == "x" and rawget(t, 2) == nil, "the insert shifted the wrong elements")
