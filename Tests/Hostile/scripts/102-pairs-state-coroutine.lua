-- hostile: leak: writes through the state value of pairs(coroutine), hoping to replace the sandbox's protected resume for every script.
-- expect: error: read-only
local _, state = pairs(coroutine)
local marker = function() return true end
local original = rawget(state, "resume")
state.resume = marker
local leaked = coroutine.resume == marker
rawset(state, "resume", original)
error(leaked and "ESCAPED: pairs(coroutine) handed out the shared coroutine library" or "ESCAPED: the write was accepted", 0)
