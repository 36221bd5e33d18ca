-- hostile: catch: asks for 1 GB inside xpcall whose message handler replaces the error with a harmless string.
-- expect: memory
local ok, value = xpcall(function() return ("x"):rep(1 << 30) end, function() return "swallowed" end)
error("ESCAPED: xpcall returned " .. tostring(ok) .. ", " .. tostring(value), 0)
