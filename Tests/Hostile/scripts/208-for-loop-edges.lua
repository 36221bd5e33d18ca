-- hostile: semantics: numeric for loops at the edges of the integer range run the stock number of times and never wrap around.
-- expect: ok
local n = 0
for _ = math.maxinteger - 1, math.maxinteger do n = n + 1 end
assert(n == 2, "maxinteger - 1 .. maxinteger runs twice")
n = 0
for _ = math.mininteger, math.mininteger + 2 do n = n + 1 end
assert(n == 3)
n = 0
for _ = math.mininteger + 1, math.mininteger, -1 do n = n + 1 end
assert(n == 2)
n = 0
for _ = 1, 0 do n = n + 1 end
assert(n == 0)
n = 0
for _ = math.maxinteger, math.maxinteger, math.maxinteger do n = n + 1 end
assert(n == 1)
n = 0
for _ = 0.1, 1.0, 0.3 do n = n + 1 end
assert(n == 4, "float loop counts 0.1, 0.4, 0.7, 1.0 or stops before: got " .. n)
local ok, message = pcall(function() for _ = 1, 10, 0 do end end)
assert(not ok and message:find("'for' step is zero"), tostring(message))
assert(not pcall(load("for i = 1, 'x' do end")), "a non-numeric limit is an error")
