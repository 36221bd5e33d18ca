-- hostile: range: schedules a follow-up 5 days in the past.
-- expect: error: days
local c = case
if c == nil or c.status == "resolved" or c.status == "closed" then
  for candidate in litige.cases{ active = true } do c = candidate break end
end
c:follow_up{ in_days = -5, reason = "hostile follow-up" }
error("ACCEPTED: the core took the value", 0)
