-- hostile: catch: raises the text "not enough memory" itself, without any memory pressure; it must stay an ordinary, catchable error.
-- expect: ok
local ok, message = pcall(error, "not enough memory", 0)
assert(ok == false and message == "not enough memory", "a script's own error must be caught as it is")
local ok2 = pcall(function() error("not enough memory") end)
assert(ok2 == false, "a script's own error must be caught")
