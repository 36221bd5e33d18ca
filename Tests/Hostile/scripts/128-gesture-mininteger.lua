-- hostile: range: proposes a voucher of math.mininteger, whose negation overflows.
-- expect: error: amount
local c = case or litige.case(1)
c:propose_gesture{ kind = "voucher", amount = math.mininteger, reason = "less than nothing" }
error("ACCEPTED: the core took the value", 0)
