-- hostile: hang: nests pcall until "C stack overflow", catches it, and starts over forever.
-- expect: timeout
local function nest() return pcall(nest) end
while true do nest() end
