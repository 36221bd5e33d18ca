-- hostile: range: proposes a voucher of 999999999999999.99, 15 digits and cents (beyond what a double holds exactly).
-- expect: error: amount
local c = case or litige.case(1)
c:propose_gesture{ kind = "voucher", amount = 999999999999999.99, reason = "just under a quadrillion" }
error("ACCEPTED: the core took the value", 0)
