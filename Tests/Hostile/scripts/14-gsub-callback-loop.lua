-- hostile: hang: calls string.gsub with a replacement function that loops forever (C calling back into Lua).
-- expect: timeout
string.gsub("abc", "%w", function() while true do end end)
