-- hostile: leak: uses table.move, a C function, to copy a replacement function into the string library under the name "len".
-- expect: error: read-only
table.move({ function() return -1 end }, 1, 1, 1, string)
local leaked = string[1] ~= nil
error(leaked and "ESCAPED: table.move wrote into the string library" or "ESCAPED: the write was accepted", 0)
