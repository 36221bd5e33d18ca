-- hostile: range: resolves with a new due date in month 13.
-- expect: error: new_due_date
local c = case or litige.case(1)
c:resolve{ outcome = "accepted", new_due_date = "2026-13-01", reason = "a thirteenth month" }
error("ACCEPTED: the core took the value", 0)
