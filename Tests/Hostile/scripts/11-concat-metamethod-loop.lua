-- hostile: hang: concatenates a table whose __concat metamethod loops forever.
-- expect: timeout
local t = setmetatable({}, { __concat = function() while true do end end })
local _ = "prefix" .. t
