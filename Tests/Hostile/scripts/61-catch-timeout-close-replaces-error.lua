-- hostile: catch: loops inside pcall with a to-be-closed variable whose __close raises its own error, hoping to replace the stop with a catchable error.
-- expect: timeout
local ok = pcall(function()
  local guard <close> = setmetatable({}, { __close = function() error("replaced", 0) end })
  while true do end
end)
error("ESCAPED: pcall returned " .. tostring(ok) .. " with the error replaced", 0)
