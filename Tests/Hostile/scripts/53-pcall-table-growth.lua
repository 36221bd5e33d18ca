-- hostile: catch: grows a table forever inside pcall, hoping pcall returns false and the script goes on.
-- expect: memory
local ok = pcall(function()
  local t = {}
  while true do t[#t + 1] = ("x"):rep(64) .. #t end
end)
error("ESCAPED: pcall returned " .. tostring(ok) .. " after a memory error", 0)
