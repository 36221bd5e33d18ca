-- hostile: crash: nests coroutine.wrap calls 100,000 deep (each wrapped function calls the next), C recursion through lua_resume.
-- expect: error: stack overflow
local function nest(n)
  if n == 0 then return 0 end
  return coroutine.wrap(function() return nest(n - 1) + 1 end)()
end
local depth = nest(100000)
error("ESCAPED: nested " .. depth .. " coroutines without a limit", 0)
