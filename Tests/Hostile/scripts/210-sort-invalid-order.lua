-- hostile: semantics: table.sort with an order function that always answers true fails with stock Lua's message, and sorts normally otherwise.
-- expect: ok
local t = {}
for i = 1, 100 do t[i] = (i * 37) % 101 end
local ok, message = pcall(table.sort, t, function() return true end)
assert(not ok and tostring(message):find("invalid order function for sorting"), tostring(message))
local u = { 5, 3, 9, 1 }
table.sort(u)
assert(table.concat(u, ",") == "1,3,5,9")
table.sort(u, function(x, y) return x > y end)
assert(table.concat(u, ",") == "9,5,3,1")
local words = { "b", "a", "C" }
table.sort(words)
assert(table.concat(words) == "Cab")
assert(not pcall(table.sort, { 1, "x" }), "comparing a number with a string is an error")
