-- hostile: hang: string.rep("", 1e15) copies nothing 10^15 times in a C loop; the result, as in stock Lua, is "".
-- expect: ok
local s = string.rep("", 1e15)
assert(s == "", "string.rep of an empty string must give an empty string")
