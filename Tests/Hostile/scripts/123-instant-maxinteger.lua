-- hostile: crash: passes math.maxinteger seconds, which becomes 2^63 as a double and traps a conversion back to a 64-bit integer.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline(math.maxinteger, "the end of 64-bit time")
error("ACCEPTED: the core took the value", 0)
