-- hostile: hang: table.unpack({}, 1, 1e8) asks for a hundred million results on the stack.
-- expect: error: too many results
local n = select("#", table.unpack({}, 1, 1e8))
error("ESCAPED: unpacked " .. n .. " values", 0)
