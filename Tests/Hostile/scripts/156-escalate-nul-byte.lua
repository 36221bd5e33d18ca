-- hostile: range: escalates to "court\0", a valid level followed by a NUL byte.
-- expect: error: escalation
local c = case or litige.case(1)
c:escalate("court\0", "a level with a NUL byte")
error("ACCEPTED: the core took the value", 0)
