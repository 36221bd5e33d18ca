-- hostile: crash: an __index metamethod that indexes its own table again, recursing through metamethod calls without end.
-- expect: error: stack overflow
local t = setmetatable({}, {})
getmetatable(t).__index = function(self, key) return self[key .. "x"] end
local _ = t.a
error("ESCAPED: unbounded metamethod recursion returned", 0)
