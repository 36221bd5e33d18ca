-- hostile: hang: runs full garbage collections forever, the work done in C between two Lua instructions.
-- expect: timeout
local keep = {}
for i = 1, 10000 do keep[i] = { i } end
while true do collectgarbage("collect") end
