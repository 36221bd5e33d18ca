-- hostile: store: gives a decision an explanation in Latin-1 bytes (not UTF-8), which would be stored altered.
-- expect: error: reason
local c = case or litige.case(1)
c:tag("hostile_latin1_reason", "d\xe9lai d\xe9pass\xe9")
error("ACCEPTED: the core took the value", 0)
