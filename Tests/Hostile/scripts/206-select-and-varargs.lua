-- hostile: semantics: select, varargs, table.pack and table.unpack keep stock behaviour, nils and counts included.
-- expect: ok
assert(select("#") == 0 and select("#", nil, nil) == 2)
assert(select(-1, 1, 2, 3) == 3 and select(2, "a", "b", "c") == "b")
assert(not pcall(select, 0, 1), "select(0) is an error")
local function count(...) return select("#", ...) end
assert(count(nil, nil, nil) == 3 and count(table.unpack({ 1, nil, 3 }, 1, 3)) == 3)
local packed = table.pack(1, nil, 3)
assert(packed.n == 3 and packed[3] == 3)
local a, b, c = table.unpack({ 1, 2, 3 }, 2)
assert(a == 2 and b == 3 and c == nil)
local function pass(...) return ... end
assert(select("#", pass(1, nil)) == 2 and select("#", (pass(1, 2))) == 1)
local t = { pass(1, 2), pass(3, 4) }
assert(#t == 3 and t[1] == 1 and t[3] == 4, "only the last call expands in a constructor")
