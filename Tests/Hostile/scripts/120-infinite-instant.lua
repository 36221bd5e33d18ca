-- hostile: range: passes math.huge as the time of the resolution date.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline(math.huge, "never")
error("ACCEPTED: the core took the value", 0)
