-- hostile: hang: table.insert at position 1 of a table whose __len claims math.maxinteger - 1 elements: a C loop shifting 2^63 slots.
-- expect: timeout
local t = setmetatable({}, { __len = function() return math.maxinteger - 1 end })
table.insert(t, 1, "x")
error("ESCAPED: the shift of 2^63 elements returned", 0)
