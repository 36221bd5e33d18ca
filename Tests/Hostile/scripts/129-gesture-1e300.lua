-- hostile: range: proposes a voucher of 1e300, a finite double with no 64-bit integer value.
-- expect: error: amount
local c = case or litige.case(1)
c:propose_gesture{ kind = "voucher", amount = 1e300, reason = "astronomical" }
error("ACCEPTED: the core took the value", 0)
