-- hostile: leak: rawsets __index and __add into the string metatable, skipping its __newindex.
-- expect: error: read-only
local mt = getmetatable("")
rawset(mt, "__add", function() return "PWNED" end)
local ok, sum = pcall(function() return "a" + "b" end)
rawset(mt, "__add", nil)
error((ok and sum == "PWNED") and "ESCAPED: arithmetic on strings was redirected" or "ESCAPED: rawset was accepted", 0)
