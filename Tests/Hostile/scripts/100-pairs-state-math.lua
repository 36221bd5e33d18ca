-- hostile: leak: writes through the state value of pairs(math), hoping to change math.pi and math.random for every script.
-- expect: error: read-only
local _, state = pairs(math)
local original = rawget(state, "pi")
state.pi = 3
local leaked = math.pi == 3
rawset(state, "pi", original)
error(leaked and "ESCAPED: pairs(math) handed out the shared math library" or "ESCAPED: the write was accepted", 0)
