-- hostile: store: gives a decision the explanation "ok\0hidden", which a C string in the store would cut after "ok".
-- expect: error: reason
local c = case or litige.case(1)
c:tag("hostile_nul_reason", "ok\0hidden text after a NUL byte")
error("ACCEPTED: the core took the value", 0)
