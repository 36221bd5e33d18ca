-- hostile: leak: replaces string.upper by assignment, so that every other script's ("x"):upper() runs this script's code.
-- expect: error: read-only
local marker = function() return "PWNED" end
local original = string.upper
string.upper = marker
local leaked = ("abc"):upper() == "PWNED"
string.upper = original
error(leaked and "ESCAPED: string.upper was replaced for every script" or "ESCAPED: the write was accepted", 0)
