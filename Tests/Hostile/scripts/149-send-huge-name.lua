-- hostile: range: sends a letter whose template name is one megabyte of valid characters.
-- expect: error: template
local c = case or litige.case(1)
c:send{ template = string.rep("a", 1 << 20), reason = "a very long name" }
error("ACCEPTED: the core took the value", 0)
