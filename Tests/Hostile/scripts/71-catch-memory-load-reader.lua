-- hostile: catch: asks for 1 GB inside a load reader, expecting load to return nil and a message.
-- expect: memory
local f = load(function() return ("x"):rep(1 << 30) end)
error("ESCAPED: load returned " .. tostring(f) .. " after a memory error", 0)
