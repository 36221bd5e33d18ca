-- hostile: catch: loops inside a coroutine and expects coroutine.resume to report the stop as an ordinary false result.
-- expect: timeout
local co = coroutine.create(function() while true do end end)
local ok = coroutine.resume(co)
error("ESCAPED: coroutine.resume returned " .. tostring(ok), 0)
