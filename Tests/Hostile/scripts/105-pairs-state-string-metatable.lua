-- hostile: leak: writes through the state value of pairs(getmetatable("")), hoping to redirect the methods of every string.
-- expect: error: read-only
local _, state = pairs(getmetatable(""))
local marker = { upper = function() return "PWNED" end }
local original = rawget(state, "__index")
state.__index = marker
local leaked = getmetatable("").__index == marker or ("abc"):upper() == "PWNED"
rawset(state, "__index", original)
error(leaked and "ESCAPED: pairs handed out the string metatable's table" or "ESCAPED: the write was accepted", 0)
