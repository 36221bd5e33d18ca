-- hostile: crash: string.gsub turns each of a million bytes into 1 KB, a 1 GB result built inside C.
-- expect: memory
local s = string.rep("x", 1 << 20)
local big = s:gsub("x", ("y"):rep(1024))
error("ESCAPED: built " .. #big .. " bytes", 0)
