-- hostile: semantics: metamethods keep stock rules: __index chains and their loop limit, __eq only between tables, __lt, __le, __concat, __call, __close with nil.
-- expect: ok
local a = setmetatable({}, {})
local b = setmetatable({}, { __index = a })
getmetatable(a).__index = b
local ok, message = pcall(function() return a.missing end)
assert(not ok and tostring(message):find("'__index' chain too long"), tostring(message))
local eq_calls = 0
local mt = { __eq = function() eq_calls = eq_calls + 1 return true end }
local x, y = setmetatable({}, mt), setmetatable({}, mt)
assert(x == y and eq_calls == 1 and not (x == 1) and eq_calls == 1, "__eq only runs between two tables")
local ordered = { __lt = function(p, q) return p.v < q.v end, __le = function(p, q) return p.v <= q.v end }
local one, two = setmetatable({ v = 1 }, ordered), setmetatable({ v = 2 }, ordered)
assert(one < two and one <= two and not (two < one) and two >= one)
local cat = setmetatable({}, { __concat = function(l, r) return (type(l) == "table" and "T" or l) .. (type(r) == "table" and "T" or r) end })
assert("a" .. cat == "aT" and cat .. "b" == "Tb" and 1 .. cat == "1T")
local callable = setmetatable({}, { __call = function(self, p) return p * 2 end })
assert(callable(21) == 42)
local ok2, message2 = pcall(function() return {} < {} end)
assert(not ok2 and tostring(message2):find("attempt to compare two table values"), tostring(message2))
local ok3 = pcall(function() local t = {} t[0 / 0] = 1 end)
assert(not ok3, "a NaN key is an error")
