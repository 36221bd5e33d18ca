-- hostile: hang: string.rep("", math.maxinteger, "") loops 2^63 times in C copying nothing; the result, as in stock Lua, is "".
-- expect: ok
local s = string.rep("", math.maxinteger, "")
assert(s == "", "string.rep of empty strings must give an empty string")
local t = ("x"):rep(3, "")
assert(t == "xxx", "string.rep must stay stock for ordinary arguments")
