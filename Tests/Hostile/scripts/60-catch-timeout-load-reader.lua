-- hostile: catch: loops inside a load reader, expecting load to return nil and a message (load catches its reader's errors).
-- expect: timeout
local f, message = load(function() while true do end end)
error("ESCAPED: load returned " .. tostring(f) .. " and a message of " .. #tostring(message) .. " bytes", 0)
