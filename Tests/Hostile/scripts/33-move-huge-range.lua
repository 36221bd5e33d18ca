-- hostile: hang: table.move over 1..math.maxinteger of an empty table: 2^63 reads and writes of nil in C.
-- expect: timeout
table.move({}, 1, math.maxinteger, 1, {})
error("ESCAPED: the move over 2^63 elements returned", 0)
