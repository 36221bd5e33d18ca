-- hostile: range: proposes a voucher of math.huge.
-- expect: error: amount
local c = case or litige.case(1)
c:propose_gesture{ kind = "voucher", amount = math.huge, reason = "infinite" }
error("ACCEPTED: the core took the value", 0)
