-- hostile: store: resolves a case with collection resuming on 9999-12-31.
-- expect: error: new_due_date
local c = case or litige.case(1)
c:resolve{ outcome = "accepted", new_due_date = "9999-12-31", reason = "pay whenever" }
error("ACCEPTED: the core took the value", 0)
