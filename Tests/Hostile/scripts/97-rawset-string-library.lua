-- hostile: leak: replaces string.format with rawset, which skips __newindex.
-- expect: error: read-only
local original = string.format
rawset(string, "format", function() return "PWNED" end)
local leaked = string.format("%d", 1) == "PWNED" or ("%d"):format(1) == "PWNED"
rawset(string, "format", original)
error(leaked and "ESCAPED: string.format was replaced for every script" or "ESCAPED: rawset was accepted", 0)
