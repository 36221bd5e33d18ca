-- hostile: longjmp: makes a refused decision inside a coroutine, two coroutines deep, so the host's error crosses lua_resume twice.
-- expect: error: prioritize
local c = case or litige.case(1)
local inner = coroutine.wrap(function()
  coroutine.yield("first")
  c:prioritize(42, "refused inside a nested coroutine")
end)
local outer = coroutine.wrap(function()
  inner()
  inner()
end)
outer()
error("ACCEPTED: the core took the value", 0)
