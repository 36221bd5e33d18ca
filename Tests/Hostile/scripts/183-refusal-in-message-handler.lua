-- hostile: longjmp: makes a refused decision inside an xpcall message handler, which then runs again for its own error, until the C stack limit.
-- expect: ok
local c = case or litige.case(1)
local calls = 0
local ok = xpcall(function() error("first") end, function(message)
  calls = calls + 1
  c:prioritize(0, "refused inside a message handler")
  return message
end)
assert(ok == false, "xpcall must report the failure")
assert(calls >= 1, "the handler ran")
local ok2, message2 = pcall(c.prioritize, c, 0, "refused")
assert(ok2 == false and tostring(message2):find("prioritize"), "the state must still report refusals normally")
