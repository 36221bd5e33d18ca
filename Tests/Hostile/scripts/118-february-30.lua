-- hostile: range: sets the resolution date to 2026-02-30, a day that does not exist.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline("2026-02-30", "a day that never comes")
error("ACCEPTED: the core took the value", 0)
