-- hostile: range: sets the resolution date to 9999-12-31, a date that parses but that nothing should store.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline("9999-12-31", "forever")
error("ACCEPTED: the core took the value", 0)
