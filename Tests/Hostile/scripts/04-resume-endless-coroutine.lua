-- hostile: hang: resumes a coroutine whose body never yields and never ends.
-- expect: timeout
local co = coroutine.create(function()
  local i = 0
  while true do i = i + 1 end
end)
coroutine.resume(co)
error("ESCAPED: coroutine.resume returned from an endless coroutine", 0)
