-- hostile: range: schedules a follow-up in math.maxinteger days, where adding them to today overflows.
-- expect: error: days
local c = case
if c == nil or c.status == "resolved" or c.status == "closed" then
  for candidate in litige.cases{ active = true } do c = candidate break end
end
c:follow_up{ in_days = math.maxinteger, reason = "hostile follow-up" }
error("ACCEPTED: the core took the value", 0)
