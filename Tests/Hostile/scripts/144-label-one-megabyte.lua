-- hostile: range: adds a tag of one megabyte of valid tag characters.
-- expect: error: tag
local c = case or litige.case(1)
c:tag(string.rep("a", 1 << 20), "a very long label")
error("ACCEPTED: the core took the value", 0)
