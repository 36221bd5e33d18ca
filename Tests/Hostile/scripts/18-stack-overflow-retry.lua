-- hostile: hang: recurses until "stack overflow", catches it with pcall, and tries again forever.
-- expect: timeout
local function deep(n, a, b, c, d, e, f) return deep(n + 1, a, b, c, d, e, f) + 1 end
local overflows = 0
while true do
  local ok, message = pcall(deep, 1)
  if not ok and tostring(message):find("overflow") then overflows = overflows + 1 end
end
