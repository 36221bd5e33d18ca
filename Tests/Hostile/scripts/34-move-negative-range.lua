-- hostile: hang: table.move over math.mininteger..-2 (2^63 - 1 elements), a range that passes stock Lua's own checks.
-- expect: timeout
table.move({}, math.mininteger, -2, 1)
error("ESCAPED: the move over 2^63 - 1 elements returned", 0)
