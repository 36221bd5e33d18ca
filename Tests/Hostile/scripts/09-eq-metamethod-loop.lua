-- hostile: hang: compares two tables whose shared __eq metamethod loops forever.
-- expect: timeout
local mt = { __eq = function() while true do end end }
local a, b = setmetatable({}, mt), setmetatable({}, mt)
local _ = (a == b)
