-- hostile: blame: prints a value whose __tostring returns a table and checks that the error points at the script's line, not at the sandbox's print.
-- expect: ok
local function where(message) return tostring(message):match("^(.-:%d+:) ") end
local ok, message = pcall(function() print(setmetatable({}, { __tostring = function() return {} end })) end); local _, reference = pcall(function() error("reference") end)
assert(not ok, "BLAME: the operation should have been refused")
if where(message) ~= where(reference) then
  error("BLAME: '" .. tostring(message) .. "' should point at " .. tostring(where(reference)), 0)
end
