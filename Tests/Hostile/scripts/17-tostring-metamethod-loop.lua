-- hostile: hang: converts with tostring an object whose __tostring never returns.
-- expect: timeout
local _ = tostring(setmetatable({}, { __tostring = function() while true do end end }))
