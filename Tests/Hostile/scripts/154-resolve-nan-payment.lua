-- hostile: range: resolves with a payment promise of 0/0 (NaN), which passes any "not above" check.
-- expect: error: promise
local c = case or litige.case(1)
c:resolve{ outcome = "accepted", new_due_date = "2026-12-31", promise = 0 / 0, reason = "NaN promise" }
error("ACCEPTED: the core took the value", 0)
