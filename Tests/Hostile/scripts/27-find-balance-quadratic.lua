-- hostile: hang: string.find with %b() over a million unbalanced parentheses: every start scans to the end, in C.
-- expect: timeout
local s = ("("):rep(1 << 20)
string.find(s, "%b()")
