-- hostile: catch: grows a table forever inside a coroutine, so the memory error surfaces through coroutine.resume.
-- expect: memory
local co = coroutine.create(function()
  local t = {}
  while true do t[#t + 1] = { #t } end
end)
local ok = coroutine.resume(co)
error("ESCAPED: coroutine.resume returned " .. tostring(ok) .. " after a memory error", 0)
