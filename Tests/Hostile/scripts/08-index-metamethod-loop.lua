-- hostile: hang: reads a field through an __index metamethod that never returns.
-- expect: timeout
local t = setmetatable({}, { __index = function() while true do end end })
local _ = t.anything
