-- hostile: crash: hands litige.log a table of 80,000 references to one 8 KB string; copying every entry out of Lua would build 640 MB outside the Lua ceiling, so the copy is refused past 16 MB.
-- expect: error: MB of text
local piece = string.rep("z", 8192)
local t = {}
for i = 1, 80000 do t[i] = piece end
litige.log(t)
error("ESCAPED: the host copied 640 MB for one call", 0)
