-- hostile: leak: writes through the state value of pairs(utf8), hoping to change utf8.charpattern for every script.
-- expect: error: read-only
local _, state = pairs(utf8)
local original = rawget(state, "charpattern")
state.charpattern = "."
local leaked = utf8.charpattern == "."
rawset(state, "charpattern", original)
error(leaked and "ESCAPED: pairs(utf8) handed out the shared utf8 library" or "ESCAPED: the write was accepted", 0)
