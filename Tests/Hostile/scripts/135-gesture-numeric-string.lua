-- hostile: range: proposes a voucher given as the string "12.50" instead of a number.
-- expect: error: amount
local c = case or litige.case(1)
c:propose_gesture{ kind = "voucher", amount = "12.50", reason = "a string" }
error("ACCEPTED: the core took the value", 0)
