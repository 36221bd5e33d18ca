-- hostile: crash: proposes approved refunds of almost 10^15 each until their total passes 2^63 cents, where adding two amounts traps.
-- expect: error: propose_gesture
local c = case
if c == nil or c.status == "resolved" or c.status == "closed" then
  for candidate in litige.cases{ active = true } do c = candidate break end
end
for i = 1, 200 do
  c:propose_gesture{ kind = "refund", amount = 999999999999990 - i, approved_by = "cfo", reason = "overflow probe " .. i }
end
error("ACCEPTED: the core took two hundred refunds of 10^15", 0)
