-- hostile: catch: loops inside pcall and, if pcall ever returns, carries on as if the time limit had been caught.
-- expect: timeout
local ok = pcall(function() while true do end end)
error("ESCAPED: pcall swallowed the interruption (returned " .. tostring(ok) .. ")", 0)
