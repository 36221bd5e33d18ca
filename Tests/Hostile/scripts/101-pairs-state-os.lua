-- hostile: leak: writes through the state value of pairs(os), hoping to freeze os.time for every script.
-- expect: error: read-only
local _, state = pairs(os)
local marker = function() return 0 end
local original = rawget(state, "time")
state.time = marker
local leaked = os.time == marker
rawset(state, "time", original)
error(leaked and "ESCAPED: pairs(os) handed out the shared os library" or "ESCAPED: the write was accepted", 0)
