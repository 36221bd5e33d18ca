-- hostile: catch: asks for 1 GB inside pcall with a to-be-closed variable whose __close raises another error, replacing the memory error.
-- expect: memory
local ok, value = pcall(function()
  local guard <close> = setmetatable({}, { __close = function() error("ordinary", 0) end })
  return ("x"):rep(1 << 30)
end)
error("ESCAPED: pcall returned " .. tostring(ok) .. ", " .. tostring(value), 0)
