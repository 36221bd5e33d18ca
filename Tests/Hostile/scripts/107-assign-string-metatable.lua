-- hostile: leak: replaces the __index of the string metatable, so that every string of every script gets this script's methods.
-- expect: error: read-only
local mt = getmetatable("")
local original = mt.__index
mt.__index = { upper = function() return "PWNED" end }
local leaked = ("abc"):upper() == "PWNED"
mt.__index = original
error(leaked and "ESCAPED: the methods of strings were replaced" or "ESCAPED: the write was accepted", 0)
