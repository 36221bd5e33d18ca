-- hostile: crash: proposes a voucher of 5e-324, the smallest denormal double, whose decimal text and decimal conversion sit far outside a decimal type's exponent range.
-- expect: error: amount
local c = case
if c == nil or c.status == "resolved" or c.status == "closed" then
  for candidate in litige.cases{ active = true } do c = candidate break end
end
c:propose_gesture{ kind = "voucher", amount = 5e-324, reason = "almost nothing" }
error("ACCEPTED: the core took the value", 0)
