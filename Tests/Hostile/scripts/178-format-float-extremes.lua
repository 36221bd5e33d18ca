-- hostile: crash: formats extreme doubles with the widest fields and precisions string.format allows, and %a, %q, %g on NaN and infinities.
-- expect: ok
local values = { -1e308, 1e308, -math.huge, math.huge, 0 / 0, 5e-324, -0.0, math.mininteger, math.maxinteger }
for _, v in ipairs(values) do
  for _, spec in ipairs{ "%99.99f", "%-99.99e", "%99.99g", "%99.99a", "%q", "%99.99s" } do
    local ok, s = pcall(string.format, spec, v)
    assert(not ok or type(s) == "string", "a format returns a string")
  end
end
assert(#string.format("%99.99f", -1e308) == 410, "the longest %f is 410 characters")
