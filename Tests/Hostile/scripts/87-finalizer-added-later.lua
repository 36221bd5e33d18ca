-- hostile: escape: sets a metatable without __gc, adds __gc to it afterwards, then collects, hoping the finalizer runs anyway.
-- expect: ok
local ran = false
local mt = {}
local victim = setmetatable({}, mt)
mt.__gc = function() ran = true end
victim = nil
collectgarbage("collect")
collectgarbage("collect")
if ran then error("ESCAPED: a finalizer added after setmetatable ran", 0) end
if pcall(setmetatable, {}, mt) then error("ESCAPED: setmetatable took a metatable that now has __gc", 0) end
