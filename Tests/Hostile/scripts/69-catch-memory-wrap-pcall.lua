-- hostile: catch: asks for 1 GB inside coroutine.wrap, called through pcall (the wrapper adds a position to the message).
-- expect: memory
local f = coroutine.wrap(function() return ("x"):rep(1 << 30) end)
local ok = pcall(f)
error("ESCAPED: pcall of a wrapped coroutine returned " .. tostring(ok) .. " after a memory error", 0)
