-- hostile: range: sets the priority to math.maxinteger, which a conversion to a platform integer or a narrower type could wrap into range.
-- expect: error: prioritize
local c = case or litige.case(1)
c:prioritize(math.maxinteger, "top of the top")
error("ACCEPTED: the core took the value", 0)
