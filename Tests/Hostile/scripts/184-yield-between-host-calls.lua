-- hostile: longjmp: iterates litige.cases inside a coroutine that yields between two host calls, then abandons and closes it mid-iteration.
-- expect: ok
local walker = coroutine.create(function()
  for c in litige.cases{} do
    coroutine.yield(c.id, c.status)
  end
end)
local seen = 0
for _ = 1, 3 do
  local ok, id = coroutine.resume(walker)
  assert(ok, "the walking coroutine must resume")
  if id then seen = seen + 1 end
end
assert(coroutine.close(walker), "closing a coroutine suspended between host calls must work")
collectgarbage("collect")
assert(seen >= 1, "at least one case was seen")
