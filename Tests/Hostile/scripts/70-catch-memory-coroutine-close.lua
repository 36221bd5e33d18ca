-- hostile: catch: asks for 1 GB inside the __close of a suspended coroutine, expecting coroutine.close to return false and an error.
-- expect: memory
local co = coroutine.create(function()
  local guard <close> = setmetatable({}, { __close = function() return ("x"):rep(1 << 30) end })
  coroutine.yield()
end)
coroutine.resume(co)
local ok = coroutine.close(co)
error("ESCAPED: coroutine.close returned " .. tostring(ok) .. " after a memory error", 0)
