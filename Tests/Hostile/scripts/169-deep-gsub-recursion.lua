-- hostile: crash: recurses through string.gsub callbacks (C calling Lua calling C) until the C stack would overflow.
-- expect: error: stack overflow
local function again(n)
  return (string.gsub("a", "a", function() return again(n + 1) end))
end
again(1)
error("ESCAPED: unbounded C recursion returned", 0)
