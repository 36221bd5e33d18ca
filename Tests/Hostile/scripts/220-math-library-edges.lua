-- hostile: semantics: the math library keeps stock results and errors (random ranges, fmod, modf, min/max types, huge and pi).
-- expect: ok
for _ = 1, 100 do
  local r = math.random(3, 5)
  assert(r >= 3 and r <= 5 and math.type(r) == "integer")
  local f = math.random()
  assert(f >= 0 and f < 1)
end
assert(math.random(7, 7) == 7)
assert(not pcall(math.random, 2, 1), "an empty interval is an error")
assert(not pcall(math.random, 1.5), "a non-integer bound is an error")
assert(math.fmod(7, 3) == 1 and math.fmod(-7, 3) == -1 and math.type(math.fmod(7, 3)) == "integer")
assert(not pcall(math.fmod, 1, 0), "integer fmod by zero is an error")
local i, f = math.modf(3.75)
assert(i == 3.0 and f == 0.75)
assert(math.max(1, 2.5) == 2.5 and math.type(math.max(1, 2)) == "integer" and math.min(-0.0, 0) == -0.0)
assert(math.huge > math.maxinteger and -math.huge < math.mininteger)
assert(math.pi > 3.14159 and math.pi < 3.1416 and math.sqrt(16) == 4.0)
assert(math.abs(-3) == 3 and math.type(math.abs(-3)) == "integer")
