-- hostile: range: proposes a voucher of 0/0 (NaN), which compares false with every cap.
-- expect: error: amount
local c = case or litige.case(1)
c:propose_gesture{ kind = "voucher", amount = 0 / 0, reason = "not a number" }
error("ACCEPTED: the core took the value", 0)
