-- hostile: crash: Lua 5.4.7 bug use after free in luaV_finishset at the memory ceiling (upstream 983bc433, fixed in 5.4.8)
-- expect: memory
-- The hostile suite runs scripts with a 64 MB ceiling: fill memory to just under it, then grow a weak
-- metatable's __newindex table so that the refused growth's emergency collection frees that table.
local LIMIT = 64 * 1024 * 1024
local keep = {}
local function used() return collectgarbage("count") * 1024 end
while LIMIT - used() > 8 * 1024 * 1024 do keep[#keep + 1] = string.rep("k", 256 * 1024) end
collectgarbage()
local garbage = {}
for i = 1, 40 do garbage[i] = string.rep("g", 64 * 1024) end
garbage = nil
local mt = setmetatable({__newindex = {}}, {__mode = "v"})
local t = setmetatable({}, mt)
for i = 1, 2^15 do t[i] = 1 end
while LIMIT - used() > 400 * 1024 + 64 * 1024 do keep[#keep + 1] = string.rep("k", 32 * 1024) end
for i = 2^15 + 1, 2^16 + 1 do t[i] = 1 end
keep = nil
-- Without the fix this segfaults; with it, the growth past the ceiling is a memory error.
for i = 1, 1e9 do keep = {keep, string.rep("x", 1 << 20)} end
