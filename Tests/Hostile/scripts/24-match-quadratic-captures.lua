-- hostile: hang: one string.match of three lazy captures over a 1 MB subject that never matches: quadratic work inside C.
-- expect: timeout
local s = ("a"):rep(1 << 20)
string.match(s, "(.-)-(.-)-(.-)x")
