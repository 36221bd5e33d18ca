-- hostile: crash: chains 12,000 suspended coroutines whose __close each closes the previous one, so one coroutine.close recurses through C without a C-stack count.
-- expect: ok
local previous = nil
for i = 1, 12000 do
  local before = previous
  local co = coroutine.create(function()
    local guard <close> = setmetatable({}, { __close = function()
      if before then
        local ok, message = coroutine.close(before)
        if not ok then error(message, 0) end
      end
    end })
    coroutine.yield()
  end)
  coroutine.resume(co)
  previous = co
end
local ok, message = coroutine.close(previous)
assert(ok or tostring(message):find("overflow"), "the chain should close, or stop with a stack overflow error")
