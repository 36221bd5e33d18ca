-- hostile: blame: makes a decision the core refuses and checks that the refusal points at the script's line, not at the sandbox's method wrapper.
-- expect: ok
local function where(message) return tostring(message):match("^(.-:%d+:) ") end
local ok, message = pcall(function() local c = case or litige.case(1); c:prioritize(9, "out of range") end); local _, reference = pcall(function() error("reference") end)
assert(not ok, "BLAME: the operation should have been refused")
if where(message) ~= where(reference) then
  error("BLAME: '" .. tostring(message) .. "' should point at " .. tostring(where(reference)), 0)
end
