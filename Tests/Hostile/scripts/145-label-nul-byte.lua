-- hostile: range: adds the tag "vip\0admin", which a C string would cut to "vip".
-- expect: error: tag
local c = case or litige.case(1)
c:tag("vip\0admin", "a label with a NUL byte")
error("ACCEPTED: the core took the value", 0)
