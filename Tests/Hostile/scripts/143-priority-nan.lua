-- hostile: range: sets the priority to 0/0 (NaN), which has no integer value.
-- expect: error: prioritize
local c = case or litige.case(1)
c:prioritize(0 / 0, "not a number")
error("ACCEPTED: the core took the value", 0)
