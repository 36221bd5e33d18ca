-- hostile: range: sends a letter with keys of other types (a number, a table, a boolean) beside the known ones.
-- expect: error: unknown field
local c = case or litige.case(1)
local args = { template = "hostile", reason = "odd keys" }
args[1] = "positional"
args[{}] = "table key"
args[true] = "boolean key"
c:send(args)
error("ACCEPTED: the core took the value", 0)
