-- hostile: hang: sorts with a comparator that loops forever (table.sort runs in C and calls it).
-- expect: timeout
local t = {}
for i = 1, 100 do t[i] = 101 - i end
table.sort(t, function() while true do end end)
