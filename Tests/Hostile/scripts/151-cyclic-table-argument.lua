-- hostile: range: passes a decision a table that contains itself, so a host copying it recursively would never stop.
-- expect: error: nested
local c = case or litige.case(1)
local args = { in_days = 1, reason = "a cycle" }
args.self = args
args.more = { args, { args } }
c:follow_up(args)
error("ACCEPTED: the core took the value", 0)
