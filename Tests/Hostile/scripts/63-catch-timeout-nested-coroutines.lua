-- hostile: catch: loops three coroutines deep, each level ready to catch the stop with pcall or resume.
-- expect: timeout
local inner = coroutine.wrap(function() while true do end end)
local middle = coroutine.create(function() return pcall(inner) end)
local outer = coroutine.wrap(function() return coroutine.resume(middle) end)
local ok = pcall(outer)
error("ESCAPED: the nested coroutines returned " .. tostring(ok), 0)
