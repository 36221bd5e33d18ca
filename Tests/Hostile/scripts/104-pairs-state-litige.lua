-- hostile: leak: writes through the state value of pairs(litige), hoping to replace litige.case for every plugin.
-- expect: error: read-only
local _, state = pairs(litige)
local marker = function() return nil end
local original = rawget(state, "case")
state.case = marker
local leaked = litige.case == marker
rawset(state, "case", original)
error(leaked and "ESCAPED: pairs(litige) handed out the shared litige library" or "ESCAPED: the write was accepted", 0)
