-- hostile: range: schedules a follow-up in 1e18 days, a whole number that fits 64 bits but no calendar.
-- expect: error: days
local c = case
if c == nil or c.status == "resolved" or c.status == "closed" then
  for candidate in litige.cases{ active = true } do c = candidate break end
end
c:follow_up{ in_days = 1e18, reason = "hostile follow-up" }
error("ACCEPTED: the core took the value", 0)
