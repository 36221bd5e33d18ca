-- hostile: range: passes an ISO 8601 time at 25:61 o'clock.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline("2026-06-01T25:61:00Z", "an impossible hour")
error("ACCEPTED: the core took the value", 0)
