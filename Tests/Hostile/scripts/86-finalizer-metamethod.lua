-- hostile: escape: installs a finalizer, code that would run during a collection with hooks off.
-- expect: error: __gc
setmetatable({}, { __gc = function() while true do end end })
collectgarbage()
error("ESCAPED: a metatable with a finalizer was accepted", 0)
