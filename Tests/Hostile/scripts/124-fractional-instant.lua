-- hostile: range: passes a time with half a second (1.8e9 + 0.5), neither whole seconds nor a date.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline(1.8e9 + 0.5, "half a second")
error("ACCEPTED: the core took the value", 0)
