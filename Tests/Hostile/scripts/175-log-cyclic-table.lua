-- hostile: crash: hands litige.log a table that contains itself, so a host that copies tables recursively never stops.
-- expect: error: nested
local t = { "loop" }
t.self = t
t[2] = { t }
litige.log("cycle:", t)
error("ACCEPTED: the host copied a cycle", 0)
