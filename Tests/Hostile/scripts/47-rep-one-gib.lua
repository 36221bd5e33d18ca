-- hostile: crash: asks string.rep for one gibibyte at once.
-- expect: memory
local s = string.rep("x", 1 << 30)
error("ESCAPED: got a string of " .. #s .. " bytes", 0)
