-- hostile: hang: the same lying __len, but the position is given as the float 1.0, which the C function converts to 1 like an integer.
-- expect: timeout
local t = setmetatable({}, { __len = function() return math.maxinteger - 1 end })
table.insert(t, 1.0, "x")
error("ESCAPED: the shift of 2^63 elements returned", 0)
