-- hostile: catch: asks for 1 GB inside a coroutine, expecting coroutine.resume to return false like for any error.
-- expect: memory
local co = coroutine.create(function() return ("x"):rep(1 << 30) end)
local ok = coroutine.resume(co)
error("ESCAPED: coroutine.resume returned " .. tostring(ok) .. " after a memory error", 0)
