-- hostile: store: tags a case with a 10 MB explanation, which the journal would keep forever.
-- expect: error: reason
local c = case or litige.case(1)
c:tag("hostile_long_reason", string.rep("why ", 10 * (1 << 18)))
error("ACCEPTED: the core took the value", 0)
