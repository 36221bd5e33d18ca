-- hostile: leak: replaces the tag method on a case object, hoping the class shared by every case takes it.
-- expect: error: read-only
local c = case or litige.case(1)
c.tag = function() return "PWNED" end
error("ESCAPED: a case method was replaced", 0)
