-- hostile: range: passes 0/0 (NaN) as the time of the resolution date, a value no comparison can place.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline(0 / 0, "not a number")
error("ACCEPTED: the core took the value", 0)
