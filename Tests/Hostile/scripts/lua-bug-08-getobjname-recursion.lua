-- hostile: crash: Lua 5.4.4 bug Recursion in 'getobjname' can stack overflow (bugs.html 5.4.6 #4, commit 7923dbbf)
-- expect: ok
-- To name the operand of a failing operation, getobjname follows a chain of field accesses
-- back through the code, one C recursion per field: a long chain a.x.x.x... overflows the
-- C stack (segfault) while building the error message. A fixed Lua names it "field 'x'".
local n = 150000
local src = "local a = {}; a.x = a; return a" .. string.rep(".x", n) .. " + 1"
local f = assert(load(src, "=chain", "t", {}))
local ok, msg = pcall(f)
assert(not ok and string.find(msg, "arithmetic on a table value (field 'x')", 1, true), msg)
