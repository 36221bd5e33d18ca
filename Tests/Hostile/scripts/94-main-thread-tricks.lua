-- hostile: escape: grabs the main thread with coroutine.running and tries to resume or close it (and a running coroutine) from inside a coroutine.
-- expect: ok
local main = coroutine.running()
local co = coroutine.create(function()
  local resumed = coroutine.resume(main)
  local closed = pcall(coroutine.close, main)
  local self_closed = pcall(coroutine.close, coroutine.running())
  return resumed, closed, self_closed
end)
local ok, resumed, closed, self_closed = coroutine.resume(co)
assert(ok, "the probing coroutine itself should run")
if resumed then error("ESCAPED: the main thread was resumed from a coroutine", 0) end
if closed then error("ESCAPED: the main thread was closed from a coroutine", 0) end
if self_closed then error("ESCAPED: a running coroutine closed itself", 0) end
if pcall(coroutine.close, main) then error("ESCAPED: the running main thread was closed", 0) end
local status = coroutine.status(main)
assert(status == "running", "the main thread should still be running, not " .. status)
