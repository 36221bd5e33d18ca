-- hostile: crash: table.concat of 10,000 references to one 64 KB string: a 640 MB buffer grown inside C.
-- expect: memory
local piece = string.rep("y", 1 << 16)
local t = {}
for i = 1, 10000 do t[i] = piece end
local s = table.concat(t)
error("ESCAPED: concatenated " .. #s .. " bytes", 0)
