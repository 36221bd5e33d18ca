-- hostile: range: proposes a voucher of -50, a gesture that would take money from the customer.
-- expect: error: amount
local c = case
if c == nil or c.status == "resolved" or c.status == "closed" then
  for candidate in litige.cases{ active = true } do c = candidate break end
end
c:propose_gesture{ kind = "voucher", amount = -50, reason = "negative" }
error("ACCEPTED: the core took the value", 0)
