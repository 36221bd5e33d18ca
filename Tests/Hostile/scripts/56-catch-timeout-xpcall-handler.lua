-- hostile: catch: loops inside xpcall with a message handler that turns any error into a harmless value.
-- expect: timeout
local ok, value = xpcall(function() while true do end end, function() return "converted" end)
error("ESCAPED: xpcall returned " .. tostring(ok) .. ", " .. tostring(value), 0)
