-- hostile: catch: raises an error object whose __tostring returns a table with its own lying metamethods instead of a string.
-- expect: error: error object
local liar = setmetatable({}, { __tostring = function() return "liar" end, __len = function() return -1 end })
error(setmetatable({}, { __tostring = function() return liar end, __index = function() return liar end }))
