-- hostile: leak: takes the second value pairs(string) returns (stock __pairs designs hand out the real table there) and writes through it.
-- expect: error: read-only
local _, state = pairs(string)
local marker = function() return "PWNED" end
local original = rawget(state, "rep")
state.rep = marker
local leaked = string.rep == marker or ("x").rep == marker
rawset(state, "rep", original)
error(leaked and "ESCAPED: pairs(string) handed out the real string library" or "ESCAPED: the write was accepted", 0)
