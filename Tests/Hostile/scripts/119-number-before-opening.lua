-- hostile: range: passes a number of seconds (1971-01-01) where a date is expected, before the case was opened.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline(86400 * 365, "seconds instead of a date")
error("ACCEPTED: the core took the value", 0)
