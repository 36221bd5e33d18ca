-- hostile: hang: the usual trim pattern "^%s*(.-)%s*$" over a string of a million inner spaces, quadratic inside one C call.
-- expect: timeout
local s = "a" .. (" "):rep(1 << 20) .. "a"
s:match("^%s*(.-)%s*$")
