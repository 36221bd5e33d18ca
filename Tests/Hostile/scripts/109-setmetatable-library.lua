-- hostile: leak: gives the string library view a new metatable whose __index serves this script's functions.
-- expect: error: protected metatable
setmetatable(string, { __index = function() return function() return "PWNED" end end })
error("ESCAPED: the library view took a new metatable", 0)
