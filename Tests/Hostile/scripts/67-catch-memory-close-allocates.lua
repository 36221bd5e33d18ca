-- hostile: catch: asks for 1 GB inside pcall with a to-be-closed variable whose __close allocates, so an allocation succeeds after the refused one.
-- expect: memory
local ok = pcall(function()
  local guard <close> = setmetatable({}, { __close = function()
    local t = {}
    for i = 1, 100 do t[i] = { i } end
  end })
  return ("x"):rep(1 << 30)
end)
error("ESCAPED: pcall returned " .. tostring(ok) .. " after a memory error", 0)
