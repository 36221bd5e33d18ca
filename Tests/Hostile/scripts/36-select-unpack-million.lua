-- hostile: hang: select('#', table.unpack(t, 1, 1e6)) pushes a million values through a C call.
-- expect: error: too many results
local t = setmetatable({}, { __index = function(_, i) return i end })
local n = select("#", table.unpack(t, 1, 1e6))
error("ESCAPED: unpacked " .. n .. " values", 0)
