-- hostile: hang: sorts 100,000 references to one 16 MB string with the default comparator: each comparison scans 16 MB in C.
-- expect: timeout
local s = string.rep("a", 1 << 24)
local t = {}
for i = 1, 100000 do t[i] = s end
table.sort(t)
