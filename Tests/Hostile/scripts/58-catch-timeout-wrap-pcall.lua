-- hostile: catch: loops inside coroutine.wrap, called through pcall, to catch the stop as the wrapper's error.
-- expect: timeout
local f = coroutine.wrap(function() while true do end end)
local ok = pcall(f)
error("ESCAPED: pcall of a wrapped coroutine returned " .. tostring(ok), 0)
