-- hostile: hang: table.remove at position "1" (a string the C function converts) of a table whose __len claims math.maxinteger elements.
-- expect: timeout
local t = setmetatable({}, { __len = function() return math.maxinteger end })
table.remove(t, "1")
error("ESCAPED: the shift of 2^63 elements returned", 0)
