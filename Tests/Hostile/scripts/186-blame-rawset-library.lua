-- hostile: blame: rawsets into a library view and checks that the refusal points at the script's line.
-- expect: ok
local function where(message) return tostring(message):match("^(.-:%d+:) ") end
local ok, message = pcall(function() rawset(math, "pi", 3) end); local _, reference = pcall(function() error("reference") end)
assert(not ok, "BLAME: the operation should have been refused")
if where(message) ~= where(reference) then
  error("BLAME: '" .. tostring(message) .. "' should point at " .. tostring(where(reference)), 0)
end
