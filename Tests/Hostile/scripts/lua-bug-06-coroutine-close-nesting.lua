-- hostile: crash: Lua 5.4.4 bug C-stack overflow with deep nesting of coroutine.close (bugs.html 5.4.4 #9, commit 1e64c139)
-- expect: ok
-- Each coroutine, when closed, closes the previous one from its __close handler. On 5.4.4,
-- lua_resetthread does not count these nested C calls, so the C stack overflows (segfault);
-- a fixed Lua stops with "C stack overflow". (A host that calls lua_resetthread(co), i.e.
-- lua_closethread(co, NULL), instead of lua_closethread(co, L) restarts the count at 0 and
-- crashes even on 5.4.6+.)
local coro = false
for i = 1, 30000 do
  local previous = coro
  coro = coroutine.create(function()
    local cc <close> = setmetatable({}, {__close = function()
      if previous then assert(coroutine.close(previous)) end
    end})
    coroutine.yield()               -- leaves 'cc' pending to be closed
  end)
  assert(coroutine.resume(coro))
end
local st, msg = coroutine.close(coro)
assert(not st and string.find(tostring(msg), "C stack overflow", 1, true), tostring(msg))
