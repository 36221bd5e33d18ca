-- hostile: range: proposes a voucher of math.maxinteger, far beyond what 64-bit cents can hold.
-- expect: error: amount
local c = case or litige.case(1)
c:propose_gesture{ kind = "voucher", amount = math.maxinteger, reason = "all the money" }
error("ACCEPTED: the core took the value", 0)
