-- hostile: leak: uses table.insert, a C function that writes with lua_seti, to add an element to the math library view.
-- expect: error: read-only
table.insert(math, "PWNED")
local leaked = math[1] == "PWNED" or rawget(math, 1) == "PWNED"
error(leaked and "ESCAPED: table.insert wrote into the math library" or "ESCAPED: the write was accepted", 0)
