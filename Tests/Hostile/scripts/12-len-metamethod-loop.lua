-- hostile: hang: takes the length of a table whose __len metamethod loops forever.
-- expect: timeout
local t = setmetatable({}, { __len = function() while true do end end })
local _ = #t
