-- hostile: range: sets the resolution date to 0001-01-01, before the epoch, the opening and any calendar the store knows.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline("0001-01-01", "the dawn of time")
error("ACCEPTED: the core took the value", 0)
