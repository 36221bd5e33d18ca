-- hostile: catch: asks for 1 GB inside pcall and carries on if pcall returns false.
-- expect: memory
local ok = pcall(string.rep, "x", 1 << 30)
error("ESCAPED: pcall returned " .. tostring(ok) .. " after a memory error", 0)
