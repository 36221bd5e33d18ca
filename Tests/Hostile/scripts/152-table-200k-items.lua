-- hostile: range: passes a decision a table of 200,000 extra items, to make the host copy all of them.
-- expect: error: entries
local c = case or litige.case(1)
local args = { in_days = 1, reason = "a heavy table" }
for i = 1, 200000 do args[i] = i end
c:follow_up(args)
error("ACCEPTED: the core took the value", 0)
