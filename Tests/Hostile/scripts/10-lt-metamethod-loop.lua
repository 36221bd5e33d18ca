-- hostile: hang: orders two tables with an __lt metamethod that never returns.
-- expect: timeout
local mt = { __lt = function() while true do end end }
local a, b = setmetatable({}, mt), setmetatable({}, mt)
local _ = (a < b)
