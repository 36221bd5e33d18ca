-- hostile: longjmp: nests string.gsub callbacks 150 deep (C and Lua frames interleaved), then makes a refused decision at the bottom.
-- expect: error: prioritize
local c = case or litige.case(1)
local function dive(n)
  if n == 0 then
    c:prioritize(0, "refused at the bottom of 150 C frames")
    return "x"
  end
  return (string.gsub("a", "a", function() return dive(n - 1) end))
end
dive(150)
error("ACCEPTED: the core took the value", 0)
