-- hostile: blame: calls table.move over a range the sandbox refuses and checks that the error points at the script's line.
-- expect: timeout
local function where(message) return tostring(message):match("^(.-:%d+:) ") end
local ok, message = pcall(function() table.move({}, 1, math.maxinteger, 1, {}) end); local _, reference = pcall(function() error("reference") end)
assert(not ok, "BLAME: the operation should have been refused")
if where(message) ~= where(reference) then
  error("BLAME: '" .. tostring(message) .. "' should point at " .. tostring(where(reference)), 0)
end
