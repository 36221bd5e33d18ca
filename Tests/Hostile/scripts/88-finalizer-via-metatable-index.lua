-- hostile: escape: hides __gc behind the metatable's own __index, so a raw check of the metatable does not see it.
-- expect: ok
local ran = false
local mt = setmetatable({}, { __index = { __gc = function() ran = true end } })
local victim = setmetatable({}, mt)
victim = nil
collectgarbage("collect")
collectgarbage("collect")
if ran then error("ESCAPED: a finalizer reached through __index ran", 0) end
