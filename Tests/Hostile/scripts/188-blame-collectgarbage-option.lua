-- hostile: blame: calls collectgarbage with a refused option and checks that the refusal points at the script's line.
-- expect: ok
local function where(message) return tostring(message):match("^(.-:%d+:) ") end
local ok, message = pcall(function() collectgarbage("stop") end); local _, reference = pcall(function() error("reference") end)
assert(not ok, "BLAME: the operation should have been refused")
if where(message) ~= where(reference) then
  error("BLAME: '" .. tostring(message) .. "' should point at " .. tostring(where(reference)), 0)
end
