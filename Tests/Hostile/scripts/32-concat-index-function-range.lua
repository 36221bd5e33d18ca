-- hostile: hang: table.concat from 1 to math.maxinteger over a table whose __index makes every element "" (a C loop calling Lua).
-- expect: timeout
local t = setmetatable({}, { __index = function() return "" end })
table.concat(t, "", 1, math.maxinteger)
