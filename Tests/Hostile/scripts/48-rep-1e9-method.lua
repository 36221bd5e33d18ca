-- hostile: crash: ("x"):rep(1e9), a billion bytes through the string metatable and a float count.
-- expect: memory
local s = ("x"):rep(1e9)
error("ESCAPED: got a string of " .. #s .. " bytes", 0)
